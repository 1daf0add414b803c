/** Who a credential belongs to and on which terms. Keys are keyed hashes; no card number is ever held. */
export type Role = "worker" | "technician" | "admin";
export type CredentialStatus = "active" | "blocked" | "lost";

export interface CredentialEntry {
  readonly personId: string;
  readonly role: Role;
  readonly status: CredentialStatus;
  /** epoch ms; absent = no bound */
  readonly validFrom?: number | undefined;
  readonly validUntil?: number | undefined;
  /** name of a weekly schedule in access.schedules; absent = at all times */
  readonly schedule?: string | undefined;
  /** a face check is needed as well */
  readonly secondFactor: boolean;
}

export interface CredentialRecord extends CredentialEntry {
  readonly credential: string;
}

export interface CredentialStore {
  lookup(credential: string): CredentialEntry | undefined;
  readonly size: number;
  /** add or replace entries (enrolment); absent on read-only stores */
  upsert?(records: Iterable<CredentialRecord>, source?: string): number;
  /** erase every credential of a person (forget-person); absent on read-only stores */
  removePerson?(personId: string): number;
  /** when the store could not open its file for writing, what it does instead */
  health?(): { writable: boolean; mode?: "read-only" | "memory" | undefined; detail?: string | undefined };
}

/** An entry valid at all times with no second factor: what a static allow-list line means. */
export function simpleEntry(personId: string, role: Role = "worker"): CredentialEntry {
  return { personId, role, status: "active", secondFactor: false };
}

/** The in-memory store: a hash map, used by tests and as a benchmark baseline. */
export class MemoryCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, CredentialEntry>();

  constructor(initial: Iterable<CredentialRecord> = []) {
    for (const { credential, ...entry } of initial) this.entries.set(credential, entry);
  }

  add(credential: string, entry: CredentialEntry): void {
    this.entries.set(credential, entry);
  }

  lookup(credential: string): CredentialEntry | undefined {
    return this.entries.get(credential);
  }

  get size(): number {
    return this.entries.size;
  }
}
