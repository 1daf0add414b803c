/**
 * What the PC/SC reader driver needs from the PC/SC stack: readers coming and going, cards
 * arriving and leaving, and APDUs to a card. The real one wraps nfc-pcsc over pcscd; tests can
 * put a scripted one in its place. One transport serves every PC/SC reader of the station.
 */
export type PcscEvent =
  /** pcscd reachable or not; `detail` says what a technician should know */
  | { readonly type: "service"; readonly up: boolean; readonly detail: string }
  | { readonly type: "reader-attached"; readonly reader: string }
  | { readonly type: "reader-detached"; readonly reader: string }
  | {
      readonly type: "card-present";
      readonly reader: string;
      readonly atr: Uint8Array;
      readonly atMs: number;
    }
  /** a card is there but cannot be used at all (mute, or it refused the connection) */
  | {
      readonly type: "card-unusable";
      readonly reader: string;
      readonly detail: string;
      readonly atMs: number;
    }
  | { readonly type: "card-removed"; readonly reader: string; readonly atMs: number };

export interface PcscTransport {
  /** Reference-counted: every reader sharing the transport starts and stops it. */
  start(): Promise<void>;
  stop(): Promise<void>;
  onEvent(listener: (event: PcscEvent) => void): () => void;
  serviceUp(): boolean;
  /** names of the readers pcscd lists right now */
  readers(): readonly string[];
  /** Sends an APDU to the card on `reader`; rejects with READER_TRANSMIT_FAILED when the card is gone. */
  transmit(reader: string, apdu: Uint8Array, maxResponse: number): Promise<Uint8Array>;
}
