import { connect, type Socket } from "node:net";
import type { Logger } from "pino";
import { StationError } from "../../config/errors.ts";
import { encodeVpcdFrame, parseReaderMessage, splitVpcdFrames } from "../../device/pcsc/vpcd-codec.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { SimCard } from "./sim-cards.ts";

export interface VpcdEndpoint {
  readonly host: string;
  readonly port: number;
}

/** What happened on the card's side of the wire; tests and the bench time the stack with it. */
export type CardTrace =
  | { readonly type: "inserted"; readonly atMs: number }
  | { readonly type: "powered"; readonly atMs: number }
  | { readonly type: "atr"; readonly atMs: number }
  | { readonly type: "apdu"; readonly read: boolean; readonly atMs: number }
  | { readonly type: "removed"; readonly atMs: number };

/**
 * Plays one card into the real pcscd through vsmartcard's vpcd reader driver: connecting to
 * the reader's TCP port puts the card on the reader, closing the connection takes it away.
 */
export class VpcdCardPlayer {
  private socket: Socket | undefined;
  private card: SimCard | undefined;
  private buffered: Uint8Array = new Uint8Array();
  private readonly traces = new Listeners<CardTrace>();
  readonly counters = { apdus: 0, badFrames: 0 };

  constructor(
    readonly endpoint: VpcdEndpoint,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get inserted(): boolean {
    return this.socket !== undefined;
  }

  onTrace(listener: (t: CardTrace) => void): () => void {
    return this.traces.add(listener);
  }

  /** Puts `card` on the reader (taking off any other first); resolves once pcscd has it. */
  insert(card: SimCard): Promise<void> {
    this.remove();
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.endpoint.host, port: this.endpoint.port });
      s.setNoDelay(true);
      this.socket = s;
      this.card = card;
      this.buffered = new Uint8Array();
      s.once("connect", () => {
        this.traces.emit({ type: "inserted", atMs: this.clock.monotonic() });
        resolve();
      });
      s.on("data", (chunk: Buffer) => this.onData(s, chunk));
      s.on("error", (cause) => {
        if (this.socket === s) this.socket = undefined;
        reject(
          new StationError(
            "SIM_VPCD",
            "sim",
            `no vpcd reader at ${this.endpoint.host}:${this.endpoint.port}`,
            { cause, hint: "is pcscd running with the vsmartcard-vpcd driver configured for this port?" },
          ),
        );
      });
      s.on("close", () => {
        if (this.socket !== s) return;
        this.socket = undefined;
        this.traces.emit({ type: "removed", atMs: this.clock.monotonic() });
      });
    });
  }

  /** Takes the card off the reader. */
  remove(): void {
    const s = this.socket;
    if (!s) return;
    this.socket = undefined;
    this.card = undefined;
    s.destroy();
    this.traces.emit({ type: "removed", atMs: this.clock.monotonic() });
  }

  private onData(s: Socket, chunk: Buffer): void {
    if (s !== this.socket || !this.card) return;
    const split = splitVpcdFrames(this.buffered, chunk);
    this.buffered = split.rest;
    for (const payload of split.frames) {
      const m = parseReaderMessage(payload);
      const at = this.clock.monotonic();
      switch (m.type) {
        case "get-atr":
          this.traces.emit({ type: "atr", atMs: at });
          s.write(encodeVpcdFrame(this.card.atr));
          break;
        case "apdu": {
          this.counters.apdus++;
          s.write(encodeVpcdFrame(this.card.respond(m.apdu)));
          this.traces.emit({ type: "apdu", read: this.card.isReadCommand(m.apdu), atMs: at });
          break;
        }
        case "power-on":
        case "reset":
          this.traces.emit({ type: "powered", atMs: at });
          break;
        case "power-off":
          break;
        default:
          this.counters.badFrames++;
          this.log.debug({ message: m.type }, "vpcd sent something a card does not expect");
      }
    }
  }
}
