/** Who a credential belongs to. Keys are keyed hashes; no card number is ever held. */
export interface CredentialEntry {
  readonly personId: string;
}

export interface CredentialStore {
  lookup(credential: string): CredentialEntry | undefined;
  readonly size: number;
}

/** The in-memory allow-list: a hash map, so a lookup costs the same with 10 or 1,000,000 entries. */
export class MemoryCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, CredentialEntry>();

  constructor(initial: Iterable<{ credential: string; personId: string }> = []) {
    for (const e of initial) this.add(e.credential, { personId: e.personId });
  }

  add(credential: string, entry: CredentialEntry): void {
    this.entries.set(credential, entry);
  }

  remove(credential: string): boolean {
    return this.entries.delete(credential);
  }

  lookup(credential: string): CredentialEntry | undefined {
    return this.entries.get(credential);
  }

  get size(): number {
    return this.entries.size;
  }
}
