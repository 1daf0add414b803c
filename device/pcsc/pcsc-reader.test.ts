import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { StationError } from "../../config/errors.ts";
import { ManualClock } from "../clock/manual-clock.ts";
import { createIdentifierHasher } from "../identity/hasher.ts";
import type { CredentialRead, ReaderStatus } from "../ports/card-reader.ts";
import { Listeners } from "../ports/listeners.ts";
import type { PcscEvent, PcscTransport } from "../ports/pcsc-transport.ts";
import {
  buildResponse,
  GET_UID,
  RESIDENT_ID_SERIAL,
  SW_INS_NOT_SUPPORTED,
  SW_OK,
  sameBytes,
} from "./apdu.ts";
import { storageCardAtr, typeBAtr } from "./atr.ts";
import { PcscCardReader } from "./pcsc-reader.ts";

/**
 * The driver's own logic against a transport the test scripts: binding by name, unplug and
 * pcscd loss, what each kind of card yields. The real pcscd path is test/pcsc.e2e.test.ts.
 */
class ScriptedTransport implements PcscTransport {
  readonly events = new Listeners<PcscEvent>();
  up = true;
  names: string[] = [];
  answer: (apdu: Uint8Array) => Uint8Array | Error = () =>
    buildResponse(new Uint8Array(), SW_INS_NOT_SUPPORTED);
  starts = 0;
  async start() {
    this.starts++;
  }
  async stop() {
    this.starts--;
  }
  onEvent(l: (e: PcscEvent) => void) {
    return this.events.add(l);
  }
  serviceUp() {
    return this.up;
  }
  readers() {
    return this.names;
  }
  async transmit(_reader: string, apdu: Uint8Array) {
    const a = this.answer(apdu);
    if (a instanceof Error) throw a;
    return a;
  }
  attach(name: string) {
    this.names.push(name);
    this.events.emit({ type: "reader-attached", reader: name });
  }
  detach(name: string) {
    this.names = this.names.filter((n) => n !== name);
    this.events.emit({ type: "reader-detached", reader: name });
  }
  service(up: boolean, detail: string) {
    this.up = up;
    if (!up) this.names = [];
    this.events.emit({ type: "service", up, detail });
  }
}

const KEY = "77".repeat(32);
const hasher = createIdentifierHasher(KEY);
const UID = Uint8Array.from([0x04, 0xa1, 0xb2, 0xc3]);
const SERIAL = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

const mifare = (apdu: Uint8Array) =>
  sameBytes(apdu, GET_UID)
    ? buildResponse(UID, SW_OK)
    : buildResponse(new Uint8Array(), SW_INS_NOT_SUPPORTED);
const idCard = (apdu: Uint8Array) =>
  sameBytes(apdu, RESIDENT_ID_SERIAL)
    ? buildResponse(SERIAL, SW_OK)
    : sameBytes(apdu, GET_UID)
      ? buildResponse(Uint8Array.from([0, 0, 0, 0]), SW_OK)
      : buildResponse(new Uint8Array(), SW_INS_NOT_SUPPORTED);

let reader: PcscCardReader | undefined;
afterEach(async () => {
  await reader?.stop();
  reader = undefined;
});

async function setup(readerName?: string, allowVirtual = false) {
  const clock = new ManualClock();
  const t = new ScriptedTransport();
  reader = new PcscCardReader(
    "entry",
    t,
    { readerName, repeatMs: 2000, attachGraceMs: 3000, allowVirtual },
    hasher,
    clock,
    pino({ level: "silent" }),
  );
  const reads: CredentialRead[] = [];
  const statuses: ReaderStatus[] = [];
  reader.onRead((r) => reads.push(r));
  reader.onStatus((s) => statuses.push(s));
  return { clock, t, r: reader, reads, statuses };
}

const flush = () => new Promise((r) => setImmediate(r));

async function present(
  s: Awaited<ReturnType<typeof setup>>,
  atr: Uint8Array,
  answer: ScriptedTransport["answer"],
  reader = "ACS ACR122U PICC Interface 00 00",
) {
  s.t.answer = answer;
  s.t.events.emit({ type: "card-present", reader, atr, atMs: s.clock.monotonic() });
  await flush();
}

describe("PC/SC card reader driver", () => {
  it("binds the first reader whose name matches, and ignores the others", async () => {
    const s = await setup("acr122");
    s.t.names = ["Virtual PCD 00 00"];
    await s.r.start();
    expect(s.statuses).toEqual([]);
    s.t.attach("ACS ACR122U PICC Interface 00 00");
    expect(s.statuses).toEqual([
      { type: "online", readerId: "entry", detail: "ACS ACR122U PICC Interface 00 00" },
    ]);
    await present(s, storageCardAtr(1), mifare, "Virtual PCD 00 00");
    expect(s.reads).toEqual([]);
  });

  it("never binds vpcd's Virtual PCD readers, even as the only reader or by name, unless allowed", async () => {
    for (const name of [undefined, "virtual"]) {
      const s = await setup(name);
      s.t.names = ["Virtual PCD 00 00", "Virtual PCD 00 01"];
      await s.r.start();
      await present(s, storageCardAtr(1), mifare, "Virtual PCD 00 00");
      expect(s.r.readerName).toBeUndefined();
      expect(s.reads).toEqual([]);
      await s.r.stop();
    }
    const allowed = await setup(undefined, true);
    allowed.t.names = ["Virtual PCD 00 00"];
    await allowed.r.start();
    expect(allowed.r.readerName).toBe("Virtual PCD 00 00");
  });

  it("reports offline after the grace time when pcscd or the reader never shows up, saying which", async () => {
    const s = await setup("acr122");
    s.t.up = false;
    await s.r.start();
    s.clock.advance(2999);
    expect(s.statuses).toEqual([]);
    s.clock.advance(1);
    expect(s.statuses.at(-1)).toMatchObject({
      type: "offline",
      detail: expect.stringMatching(/pcscd is not running/),
    });
    const s2 = await setup("acr122");
    s2.t.names = ["Other Reader 00 00"];
    await s2.r.start();
    s2.clock.advance(3000);
    expect(s2.statuses.at(-1)).toMatchObject({
      type: "offline",
      detail: 'no PC/SC reader matching "acr122" attached (pcscd lists: Other Reader 00 00)',
    });
  });

  it("follows an unplug and a replug, and the loss of pcscd", async () => {
    const s = await setup();
    await s.r.start();
    s.t.attach("ACS ACR122U PICC Interface 00 00");
    s.t.detach("ACS ACR122U PICC Interface 00 00");
    expect(s.statuses.at(-1)).toMatchObject({ type: "offline", detail: expect.stringMatching(/unplugged/) });
    s.t.attach("ACS ACR122U PICC Interface 00 00");
    s.t.service(false, "lost pcscd (RPC transport error)");
    expect(s.statuses.map((x) => x.type)).toEqual(["online", "offline", "online", "offline"]);
    expect(s.statuses.at(-1)?.detail).toMatch(/lost pcscd/);
  });

  it.each([
    {
      name: "a MIFARE card",
      atr: storageCardAtr(1),
      answer: mifare,
      kind: "card-uid",
      format: "uid-4",
      raw: UID,
    },
    {
      name: "a resident ID card",
      atr: typeBAtr([0, 0, 0, 0], [0, 0x91, 0x81]),
      answer: idCard,
      kind: "resident-id",
      format: "serial-8",
      raw: SERIAL,
    },
    {
      name: "a processor card that only gives a UID",
      atr: typeBAtr([1, 2, 3, 4], [0, 0x91, 0x81]),
      answer: mifare,
      kind: "card-uid",
      format: "uid-4",
      raw: UID,
    },
  ] as const)("$name: one read, hashed", async ({ atr, answer, kind, format, raw }) => {
    const s = await setup();
    await s.r.start();
    s.t.attach("ACS ACR122U PICC Interface 00 00");
    await present(s, atr, answer);
    expect(s.reads).toEqual([
      { readerId: "entry", kind, format, credential: hasher(kind, raw), atMs: s.clock.monotonic() },
    ]);
  });

  it.each([
    {
      name: "garbage to GET DATA",
      atr: storageCardAtr(1),
      answer: () => Uint8Array.from([0x12]),
      why: /no status word/,
    },
    {
      name: "a refusal of GET DATA",
      atr: storageCardAtr(1),
      answer: () => buildResponse(new Uint8Array(), 0x6a81),
      why: /6A81/,
    },
    { name: "an invalid ATR", atr: Uint8Array.from([0x12, 0x34]), answer: mifare, why: /ATR is not valid/ },
    {
      name: "a processor card that answers nothing useful",
      atr: typeBAtr([0, 0, 0, 0], [0, 0, 0]),
      answer: () => buildResponse(new Uint8Array(), SW_INS_NOT_SUPPORTED),
      why: /neither a resident ID card nor gives a UID/,
    },
  ])("$name is an unsupported card, not a crash", async ({ atr, answer, why }) => {
    const s = await setup();
    await s.r.start();
    s.t.attach("ACS ACR122U PICC Interface 00 00");
    await present(s, atr, answer);
    expect(s.reads).toEqual([]);
    expect(s.statuses.at(-1)).toMatchObject({ type: "unsupported-card", detail: expect.stringMatching(why) });
    expect(s.r.counters.unsupported).toBe(1);
  });

  it("a card taken away during the read is a failed read, not an unsupported card", async () => {
    const s = await setup();
    await s.r.start();
    s.t.attach("ACS ACR122U PICC Interface 00 00");
    await present(s, storageCardAtr(1), () => new StationError("READER_TRANSMIT_FAILED", "reader", "gone"));
    expect(s.reads).toEqual([]);
    expect(s.statuses.map((x) => x.type)).toEqual(["online"]);
    expect(s.r.counters.readFailures).toBe(1);
  });

  it("the resident ID card re-found while it lies there is one read; after repeatMs away, another", async () => {
    const s = await setup();
    await s.r.start();
    const name = "ACS ACR122U PICC Interface 00 00";
    s.t.attach(name);
    const idAtr = typeBAtr([0, 0, 0, 0], [0, 0x91, 0x81]);
    for (let i = 0; i < 4; i++) {
      await present(s, idAtr, idCard);
      s.clock.advance(400);
      s.t.events.emit({ type: "card-removed", reader: name, atMs: s.clock.monotonic() });
      s.clock.advance(500);
    }
    expect(s.reads).toHaveLength(1);
    expect(s.r.counters.repeats).toBe(3);
    s.clock.advance(2000);
    await present(s, idAtr, idCard);
    expect(s.reads).toHaveLength(2);
  });

  it("a mute card is refused with a reason", async () => {
    const s = await setup();
    await s.r.start();
    s.t.attach("R 00 00");
    s.t.events.emit({ type: "card-unusable", reader: "R 00 00", detail: "does not answer (mute)", atMs: 0 });
    expect(s.statuses.at(-1)).toMatchObject({ type: "unsupported-card", detail: "does not answer (mute)" });
  });

  it("starts and stops its shared transport once each", async () => {
    const s = await setup();
    await s.r.start();
    expect(s.t.starts).toBe(1);
    await s.r.stop();
    reader = undefined;
    expect(s.t.starts).toBe(0);
  });
});
