import { connect } from "node:net";
import type { NFC, Reader } from "nfc-pcsc";
import type { Logger } from "pino";
import { StationError } from "../../config/errors.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import { Listeners } from "../ports/listeners.ts";
import type { PcscEvent, PcscTransport } from "../ports/pcsc-transport.ts";

export const DEFAULT_PCSCD_SOCKET = "/run/pcscd/pcscd.comm";

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 2000;
const PROBE_TIMEOUT_MS = 1000;
const END_SETTLE_MS = 150;

/**
 * libpcsclite reads PCSCLITE_CSOCK_NAME once, at the first context in the process, and keeps
 * it: one process talks to one pcscd. Remember which, and refuse a second.
 */
let socketInUse: string | undefined;

type NfcModule = { NFC: new (logger?: unknown) => NFC };

async function loadNfcPcsc(): Promise<NfcModule> {
  try {
    const mod = (await import("nfc-pcsc")) as unknown as Partial<NfcModule> & {
      default?: Partial<NfcModule>;
    };
    const NFCClass = mod.NFC ?? mod.default?.NFC;
    if (!NFCClass) throw new Error("nfc-pcsc has no NFC export");
    return { NFC: NFCClass };
  } catch (cause) {
    throw new StationError("READER_PCSC_UNAVAILABLE", "reader", "the nfc-pcsc driver could not be loaded", {
      cause,
      hint: "install libpcsclite-dev and run npm ci on this machine, so @pokusew/pcsclite is built for it",
    });
  }
}

/** Does anything accept connections on pcscd's socket? (A stale socket file refuses them.) */
function probe(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), PROBE_TIMEOUT_MS);
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/**
 * PC/SC through nfc-pcsc, in this process. pcscd may be absent at start, restart, or die: this
 * transport reports it (`service` events), drops the readers, and reconnects with backoff.
 *
 * @pokusew/pcsclite's constructor loops on SCardEstablishContext on the calling thread while
 * pcscd is absent (pokusew/node-pcsclite#55), which would freeze the whole controller. So a
 * context is only made right after a connection to pcscd's socket succeeded.
 */
export class NfcPcscTransport implements PcscTransport {
  private readonly events = new Listeners<PcscEvent>();
  private readonly attached = new Map<string, Reader>();
  private readonly mute = new Set<string>();
  private nfc: NFC | undefined;
  private refs = 0;
  private running = false;
  private up = false;
  private lastDetail = "";
  private retryTimer: TimerHandle | undefined;
  private retryMs = MIN_RETRY_MS;
  readonly socketPath: string;
  readonly counters = { contexts: 0, serviceLost: 0, transmitErrors: 0 };

  constructor(
    opts: { socketPath?: string | undefined },
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.socketPath = opts.socketPath ?? process.env.PCSCLITE_CSOCK_NAME ?? DEFAULT_PCSCD_SOCKET;
  }

  async start(): Promise<void> {
    if (this.refs++ > 0) return;
    if (socketInUse !== undefined && socketInUse !== this.socketPath) {
      this.refs--;
      throw new StationError(
        "READER_PCSC_UNAVAILABLE",
        "reader",
        `this process already talks to pcscd at ${socketInUse}; it cannot also use ${this.socketPath}`,
        { hint: "give every PC/SC reader the same pcscdSocket (or none)" },
      );
    }
    socketInUse = this.socketPath;
    if (this.socketPath !== DEFAULT_PCSCD_SOCKET) process.env.PCSCLITE_CSOCK_NAME = this.socketPath;
    this.running = true;
    await this.attempt();
  }

  async stop(): Promise<void> {
    if (this.refs === 0 || --this.refs > 0) return;
    this.running = false;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.teardown();
    this.up = false;
  }

  onEvent(listener: (event: PcscEvent) => void): () => void {
    return this.events.add(listener);
  }

  serviceUp(): boolean {
    return this.up;
  }

  readers(): readonly string[] {
    return [...this.attached.keys()];
  }

  async transmit(reader: string, apdu: Uint8Array, maxResponse: number): Promise<Uint8Array> {
    const r = this.attached.get(reader);
    if (!r) {
      throw new StationError("READER_TRANSMIT_FAILED", "reader", `reader "${reader}" is not attached`);
    }
    try {
      return new Uint8Array(await r.transmit(Buffer.from(apdu), maxResponse));
    } catch (cause) {
      this.counters.transmitErrors++;
      throw new StationError("READER_TRANSMIT_FAILED", "reader", `no answer from the card on "${reader}"`, {
        cause,
        hint: "the card was taken away during the read, or the reader was unplugged",
      });
    }
  }

  private async attempt(): Promise<void> {
    if (!this.running || this.nfc) return;
    let mod: NfcModule;
    try {
      mod = await loadNfcPcsc();
    } catch (err) {
      this.setService(false, (err as StationError).describe());
      this.retry(MAX_RETRY_MS * 5);
      return;
    }
    const reachable = await probe(this.socketPath);
    if (!this.running || this.nfc) return;
    if (!reachable) {
      this.setService(false, `pcscd does not answer on ${this.socketPath}`);
      this.retry();
      return;
    }
    // No await between the probe and the constructor (see the class comment).
    let nfc: NFC;
    try {
      nfc = new mod.NFC();
    } catch (cause) {
      this.log.warn({ err: cause }, "PC/SC context failed");
      this.setService(false, `pcscd refused a PC/SC context: ${(cause as Error).message}`);
      this.retry();
      return;
    }
    this.counters.contexts++;
    this.nfc = nfc;
    this.retryMs = MIN_RETRY_MS;
    nfc.on("reader", (r: Reader) => this.onReader(nfc, r));
    nfc.on("error", (err: Error) => this.onServiceLost(nfc, err));
    this.setService(true, `pcscd on ${this.socketPath}`);
  }

  private retry(ms = this.retryMs): void {
    if (!this.running) return;
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, ms);
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }

  private onReader(nfc: NFC, r: Reader): void {
    if (nfc !== this.nfc) return;
    const name = r.name;
    // We talk to the card ourselves: nfc-pcsc would otherwise SELECT an AID on ISO 14443-4 cards.
    r.autoProcessing = false;
    this.attached.set(name, r);
    r.on("card", (card: { atr?: Buffer }) => {
      this.mute.delete(name);
      this.events.emit({
        type: "card-present",
        reader: name,
        atr: new Uint8Array(card.atr ?? []),
        atMs: this.clock.monotonic(),
      });
    });
    r.on("card.off", () =>
      this.events.emit({ type: "card-removed", reader: name, atMs: this.clock.monotonic() }),
    );
    r.on("error", (err: Error) => this.log.debug({ reader: name, err: err.message }, "PC/SC reader error"));
    // A reader also "ends" when pcscd dies. Give pcscd's own error a moment to arrive, then ask
    // pcscd, so an unplug and a dead pcscd are reported as what they are.
    r.on("end", () => {
      this.clock.setTimeout(() => {
        if (nfc !== this.nfc) return;
        void probe(this.socketPath).then((alive) => {
          if (nfc !== this.nfc) return;
          if (alive) this.detach(name);
          else this.onServiceLost(nfc, new Error("pcscd stopped answering"));
        });
      }, END_SETTLE_MS);
    });
    // nfc-pcsc gives no event for a card that is present but mute: watch the raw reader state.
    r.reader.on("status", (st: { state: number }) => {
      const isMute =
        (st.state & r.reader.SCARD_STATE_MUTE) !== 0 && (st.state & r.reader.SCARD_STATE_PRESENT) !== 0;
      if (isMute && !this.mute.has(name)) {
        this.mute.add(name);
        this.events.emit({
          type: "card-unusable",
          reader: name,
          detail: "a card is on the reader but does not answer (mute)",
          atMs: this.clock.monotonic(),
        });
      } else if (!isMute) this.mute.delete(name);
    });
    this.log.info({ reader: name }, "PC/SC reader attached");
    this.events.emit({ type: "reader-attached", reader: name });
  }

  private detach(name: string): void {
    if (!this.attached.delete(name)) return;
    this.mute.delete(name);
    this.log.info({ reader: name }, "PC/SC reader detached");
    this.events.emit({ type: "reader-detached", reader: name });
  }

  private onServiceLost(nfc: NFC, err: Error): void {
    if (nfc !== this.nfc) return;
    this.counters.serviceLost++;
    this.log.warn({ err: err.message, socket: this.socketPath }, "lost pcscd; reconnecting");
    // Service first, so readers go offline for the real reason, not as if unplugged.
    this.setService(false, `lost pcscd (${err.message})`);
    this.teardown();
    this.retry();
  }

  private teardown(): void {
    const nfc = this.nfc;
    this.nfc = undefined;
    // An EventEmitter with no 'error' listener throws: leave a silent one on what we let go of.
    const ignore = () => {};
    for (const [name, r] of [...this.attached]) {
      r.removeAllListeners();
      r.on("error", ignore);
      r.reader.removeAllListeners("status");
      try {
        r.reader.close();
      } catch {
        // its monitor thread may already be gone with pcscd
      }
      this.detach(name);
    }
    if (nfc) {
      nfc.removeAllListeners();
      nfc.on("error", ignore);
      try {
        nfc.close();
      } catch {
        // the context died with pcscd
      }
    }
  }

  private setService(up: boolean, detail: string): void {
    if (up === this.up && detail === this.lastDetail) return;
    const changed = up !== this.up;
    this.up = up;
    this.lastDetail = detail;
    if (changed || !up) this.events.emit({ type: "service", up, detail });
  }
}
