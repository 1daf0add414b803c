import type { Logger } from "pino";
import { isStationError, StationError } from "../../config/errors.ts";
import type { IdentifierHasher } from "../identity/hasher.ts";
import type { CredentialKind } from "../ports/card-reader.ts";
import { CardReaderBase } from "../ports/card-reader-base.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import type { PcscEvent, PcscTransport } from "../ports/pcsc-transport.ts";
import { GET_UID, parseResidentSerial, parseUid, RESIDENT_ID_SERIAL } from "./apdu.ts";
import { classifyAtr } from "./atr.ts";
import { departure, noPresentations, type PresentationState, sighting } from "./presentation.ts";

export interface PcscReaderOptions {
  /** case-insensitive part of the PC/SC reader name; undefined = the first reader listed */
  readonly readerName: string | undefined;
  readonly repeatMs: number;
  readonly attachGraceMs: number;
  /**
   * bind vpcd's "Virtual PCD" readers too. Off on a real station: a vpcd left installed is a
   * reader anyone on the network can present any card to (it listens on TCP).
   */
  readonly allowVirtual: boolean;
}

const VIRTUAL_READER = /virtual pcd/i;

/** Where the time of one read went: the bench splits our code from waiting on pcscd. */
export interface ReadTiming {
  /** monotonic ms when the transport reported the card */
  readonly presentAtMs: number;
  /** time spent inside transmit calls (pcscd and the card) */
  readonly transmitMs: number;
  /** monotonic ms when the read was handed on */
  readonly emittedAtMs: number;
}

export interface PcscCounters {
  reads: number;
  repeats: number;
  unsupported: number;
  readFailures: number;
}

const MAX_RESPONSE = 258;

/**
 * One PC/SC reader (a USB CCID reader through pcscd) as a CardReader. It binds to the first
 * attached reader whose name matches, follows it through unplugs and pcscd restarts, reads each
 * card once per presentation, and hashes the identifier before anything else sees it.
 */
export class PcscCardReader extends CardReaderBase {
  private unsubscribe: (() => void) | undefined;
  private bound: string | undefined;
  private online: boolean | undefined;
  private graceTimer: TimerHandle | undefined;
  private presentations: PresentationState = noPresentations;
  /** hash of the card on the reader now, so its removal extends its presentation */
  private onReader: string | undefined;
  private readSeq = 0;
  private running = false;
  readonly counters: PcscCounters = { reads: 0, repeats: 0, unsupported: 0, readFailures: 0 };
  lastTiming: ReadTiming | undefined;

  constructor(
    id: string,
    private readonly transport: PcscTransport,
    private readonly opts: PcscReaderOptions,
    private readonly hasher: IdentifierHasher,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super(id);
  }

  async start(): Promise<void> {
    this.running = true;
    this.unsubscribe = this.transport.onEvent((e) => this.onEvent(e));
    await this.transport.start();
    this.bindAny();
    if (!this.bound) {
      // pcscd and the USB reader may still be coming up with the rest of the board.
      this.graceTimer = this.clock.setTimeout(() => {
        this.graceTimer = undefined;
        if (!this.bound) this.setOnline(false, this.missingDetail());
      }, this.opts.attachGraceMs);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.bound = undefined;
    await this.transport.stop();
  }

  // PC/SC has no portable LED/buzzer command (so no `show`): readers beep on their own at a card.

  /** the PC/SC reader this port is bound to, if any */
  get readerName(): string | undefined {
    return this.bound;
  }

  private matches(name: string): boolean {
    if (!this.opts.allowVirtual && VIRTUAL_READER.test(name)) return false;
    return (
      this.opts.readerName === undefined || name.toLowerCase().includes(this.opts.readerName.toLowerCase())
    );
  }

  private bindAny(): void {
    if (this.bound || !this.running) return;
    const candidates = this.transport.readers().filter((n) => this.matches(n));
    const name = candidates[0];
    if (name === undefined) return;
    if (candidates.length > 1) {
      this.log.warn(
        { readerId: this.id, using: name, candidates },
        "several PC/SC readers match; using the first",
      );
    }
    this.bound = name;
    this.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.setOnline(true, name);
  }

  private missingDetail(): string {
    if (!this.transport.serviceUp()) return `pcscd is not running, so no reader (${this.want()})`;
    const seen = this.transport.readers();
    return `no PC/SC reader ${this.want()} attached${seen.length ? ` (pcscd lists: ${seen.join(", ")})` : " (pcscd lists none)"}`;
  }

  private want(): string {
    return this.opts.readerName ? `matching "${this.opts.readerName}"` : "of any name";
  }

  private setOnline(up: boolean, detail: string): void {
    if (this.online === up) return;
    this.online = up;
    this.log[up ? "info" : "warn"](
      { readerId: this.id, detail },
      up ? "card reader online" : "card reader offline",
    );
    this.statuses.emit({ type: up ? "online" : "offline", readerId: this.id, detail });
  }

  private onEvent(e: PcscEvent): void {
    if (!this.running) return;
    switch (e.type) {
      case "service":
        if (!e.up && this.bound) {
          this.bound = undefined;
          this.onReader = undefined;
          this.setOnline(false, e.detail);
        } else if (!e.up && this.online !== false && !this.graceTimer) this.setOnline(false, e.detail);
        return;
      case "reader-attached":
        this.bindAny();
        return;
      case "reader-detached":
        if (e.reader !== this.bound) return;
        this.bound = undefined;
        this.onReader = undefined;
        this.bindAny();
        if (!this.bound) this.setOnline(false, `reader "${e.reader}" was unplugged`);
        return;
      case "card-present":
        if (e.reader === this.bound) void this.readCard(e.atr, e.atMs);
        return;
      case "card-unusable":
        if (e.reader === this.bound)
          this.refuse(new StationError("READER_UNSUPPORTED_CARD", "reader", e.detail));
        return;
      case "card-removed":
        if (e.reader !== this.bound) return;
        this.readSeq++; // a read still in flight belongs to a card that is gone
        if (this.onReader) this.presentations = departure(this.presentations, this.onReader, e.atMs);
        this.onReader = undefined;
        return;
    }
  }

  private async readCard(atr: Uint8Array, presentAtMs: number): Promise<void> {
    const reader = this.bound;
    if (!reader) return;
    const seq = ++this.readSeq;
    let transmitMs = 0;
    const send = async (apdu: Uint8Array) => {
      const t0 = this.clock.monotonic();
      try {
        return await this.transport.transmit(reader, apdu, MAX_RESPONSE);
      } finally {
        transmitMs += this.clock.monotonic() - t0;
      }
    };
    let id: { kind: CredentialKind; raw: Uint8Array; format: string };
    try {
      id = await this.identify(atr, send);
    } catch (err) {
      if (seq !== this.readSeq || !this.running) return;
      if (isStationError(err, "READER_UNSUPPORTED_CARD")) this.refuse(err);
      else {
        this.counters.readFailures++;
        this.log.warn({ readerId: this.id, err, failures: this.counters.readFailures }, "card read failed");
      }
      return;
    }
    if (seq !== this.readSeq || !this.running) return;
    const credential = this.hasher(id.kind, id.raw);
    id.raw.fill(0);
    const seen = sighting(this.presentations, credential, presentAtMs, this.opts.repeatMs);
    this.presentations = seen.state;
    this.onReader = credential;
    if (!seen.fresh) {
      this.counters.repeats++;
      this.log.debug(
        { readerId: this.id, format: id.format },
        "same card again within repeatMs: not a new read",
      );
      return;
    }
    this.counters.reads++;
    const atMs = this.clock.monotonic();
    this.lastTiming = { presentAtMs, transmitMs, emittedAtMs: atMs };
    this.reads.emit({ readerId: this.id, kind: id.kind, credential, format: id.format, atMs });
  }

  /**
   * Storage cards (MIFARE Classic, Ultralight) give their UID to GET DATA. Processor cards are
   * asked for a resident ID serial first, then for their UID; a card that answers neither is
   * unsupported.
   */
  private async identify(
    atr: Uint8Array,
    send: (apdu: Uint8Array) => Promise<Uint8Array>,
  ): Promise<{ kind: CredentialKind; raw: Uint8Array; format: string }> {
    const cls = classifyAtr(atr);
    if (cls.kind === "invalid") {
      throw new StationError(
        "READER_UNSUPPORTED_CARD",
        "reader",
        `the card's ATR is not valid (${cls.reason})`,
      );
    }
    if (cls.kind === "processor") {
      const serial = parseResidentSerial(await send(RESIDENT_ID_SERIAL));
      if (serial) return { kind: "resident-id", raw: serial, format: "serial-8" };
    }
    try {
      const uid = parseUid(await send(GET_UID));
      return { kind: "card-uid", raw: uid, format: `uid-${uid.length}` };
    } catch (err) {
      if (!isStationError(err, "READER_UNSUPPORTED_CARD") || cls.kind === "storage") throw err;
      throw new StationError(
        "READER_UNSUPPORTED_CARD",
        "reader",
        `a processor card that is neither a resident ID card nor gives a UID (${err.message})`,
      );
    }
  }

  private refuse(err: StationError): void {
    this.counters.unsupported++;
    this.log.warn({ readerId: this.id, err, unsupported: this.counters.unsupported }, "card not supported");
    this.statuses.emit({ type: "unsupported-card", readerId: this.id, detail: err.message });
  }
}
