import type { CredentialEntry } from "./credential-store.ts";

export type Decision =
  | { readonly granted: true; readonly reason: "granted"; readonly personId: string }
  | { readonly granted: false; readonly reason: "unknown" };

/** The access policy as a pure function of what the store knows about a credential. */
export function decide(entry: CredentialEntry | undefined): Decision {
  if (!entry) return { granted: false, reason: "unknown" };
  return { granted: true, reason: "granted", personId: entry.personId };
}
