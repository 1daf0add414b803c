import type { CardReader, ReaderSignal } from "../device/ports/card-reader.ts";

/**
 * One reader of a simulated station: the CardReader the controller gets (the real driver where
 * the simulator can play the other end of its wire), and what a person does at it.
 */
export interface SimReaderSlot {
  readonly id: string;
  readonly reader: CardReader;
  /** how this reader is simulated, for the start-up banner */
  readonly how: string;
  /** what the controller signalled (LED, buzzer), newest last */
  readonly signals: readonly ReaderSignal[];
  /** A person presents a card (see each simulated reader for the specs it takes). */
  tap(spec: string): void;
  /** a card is being presented right now (for tests that must wait until the person is done) */
  readonly busy?: boolean;
  /** unplug or replug the reader, where the simulation can (the in-process reader) */
  setOnline?(online: boolean): void;
  /** the simulated peer's own activity (line noise, a card lying on a reader) */
  start?(): void;
  stop?(): void;
}
