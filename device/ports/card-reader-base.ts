import type { CardReader, CredentialRead, ReaderSignal, ReaderStatus } from "./card-reader.ts";
import { Listeners } from "./listeners.ts";

/** How many signals a reader keeps for the console and tests: enough for a night's taps on screen. */
const KEPT_SIGNALS = 100;

/**
 * What every card reader shares, real or simulated: its read and status listeners, and the
 * signals the controller sent it (the newest last). A reader that can show a signal (a Wiegand
 * reader's LED and beeper) does so in `show`.
 */
export abstract class CardReaderBase implements CardReader {
  protected readonly reads = new Listeners<CredentialRead>();
  protected readonly statuses = new Listeners<ReaderStatus>();
  readonly signals: ReaderSignal[] = [];

  constructor(readonly id: string) {}

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  onRead(listener: (read: CredentialRead) => void): () => void {
    return this.reads.add(listener);
  }

  onStatus(listener: (status: ReaderStatus) => void): () => void {
    return this.statuses.add(listener);
  }

  signal(signal: ReaderSignal): void {
    this.signals.push(signal);
    if (this.signals.length > KEPT_SIGNALS) this.signals.shift();
    this.show(signal);
  }

  /** Show a signal on the reader's own LED or beeper, where it has one it can be told to use. */
  protected show(_signal: ReaderSignal): void {}
}
