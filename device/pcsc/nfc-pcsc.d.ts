/** The part of nfc-pcsc (0.8, untyped) that the PC/SC transport uses. */
declare module "nfc-pcsc" {
  import type { EventEmitter } from "node:events";

  export interface PcscliteStatus {
    state: number;
    atr?: Buffer;
  }

  /** @pokusew/pcsclite's reader, under nfc-pcsc's wrapper */
  export interface PcscliteReader extends EventEmitter {
    readonly name: string;
    readonly SCARD_STATE_PRESENT: number;
    readonly SCARD_STATE_MUTE: number;
    readonly SCARD_STATE_EMPTY: number;
    state: number;
    close(): void;
  }

  export interface NfcCard {
    atr?: Buffer;
    standard?: string;
    uid?: string;
  }

  export class Reader extends EventEmitter {
    readonly name: string;
    readonly reader: PcscliteReader;
    autoProcessing: boolean;
    transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
  }

  export class NFC extends EventEmitter {
    constructor(logger?: unknown);
    close(): void;
  }
}
