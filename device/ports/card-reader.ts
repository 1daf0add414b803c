/**
 * A credential reader: PC/SC card readers, Wiegand readers, the simulator. A driver hashes the
 * raw identifier at the boundary (see identity/hasher.ts): nothing past this port ever holds a
 * card UID or ID-card serial in clear.
 */
export type CredentialKind = "card-uid" | "resident-id" | "wiegand" | "keypad" | "face";

export interface CredentialRead {
  readonly readerId: string;
  readonly kind: CredentialKind;
  /** keyed hash (64 hex) of the identifier */
  readonly credential: string;
  /** during a credential key rotation: the same identifier hashed under the next key */
  readonly alternates?: readonly string[];
  /** e.g. "uid-4", "uid-7", "serial-8", "wiegand-26": shape of the identifier, never its value */
  readonly format: string;
  /** monotonic ms when the read was complete */
  readonly atMs: number;
  /** for a face: the scores it was accepted on (never the face itself) */
  readonly face?: { readonly similarity: number; readonly liveness: number; readonly antispoof: number };
}

export type ReaderStatus =
  | { readonly type: "online"; readonly readerId: string; readonly detail?: string }
  | { readonly type: "offline"; readonly readerId: string; readonly detail?: string }
  | { readonly type: "unsupported-card"; readonly readerId: string; readonly detail: string };

/** Feedback on the reader's LED and buzzer; readers without them ignore it. */
export type ReaderSignal = "grant" | "deny" | "lockout";

export interface CardReader {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  onRead(listener: (read: CredentialRead) => void): () => void;
  onStatus(listener: (status: ReaderStatus) => void): () => void;
  signal(signal: ReaderSignal): void;
}
