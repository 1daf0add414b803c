import type {
  CardReader,
  CredentialRead,
  ReaderSignal,
  ReaderStatus,
} from "../../device/ports/card-reader.ts";
import { Listeners } from "../../device/ports/listeners.ts";

/**
 * The face module as one more reader of the access controller: a 1:N match is handed over as a
 * read of the person's face credential, so it meets the same policy (status, schedule, capacity,
 * anti-passback, lockout) and gives the same access events as a card.
 */
export class FaceEntryReader implements CardReader {
  readonly id = "face";
  private readonly reads = new Listeners<CredentialRead>();
  private readonly statuses = new Listeners<ReaderStatus>();
  lastSignal: ReaderSignal | undefined;

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  onRead(l: (r: CredentialRead) => void) {
    return this.reads.add(l);
  }

  onStatus(l: (s: ReaderStatus) => void) {
    return this.statuses.add(l);
  }

  signal(signal: ReaderSignal): void {
    this.lastSignal = signal;
  }

  present(read: CredentialRead): void {
    this.reads.emit(read);
  }

  status(online: boolean, detail?: string): void {
    this.statuses.emit(
      online
        ? { type: "online", readerId: this.id }
        : { type: "offline", readerId: this.id, ...(detail ? { detail } : {}) },
    );
  }
}
