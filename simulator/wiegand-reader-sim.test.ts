import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { createIdentifierHasher } from "../device/identity/hasher.ts";
import type { CredentialRead, ReaderStatus } from "../device/ports/card-reader.ts";
import { DEFAULT_DECODER } from "../device/wiegand/decoder.ts";
import { WIEGAND_26, WIEGAND_34, WIEGAND_37, type WiegandLayout } from "../device/wiegand/formats.ts";
import { STUCK_LINE_MS, WiegandReader } from "../device/wiegand/wiegand-reader.ts";
import { REALISTIC_TIMING, SimWiegandReader } from "./wiegand-reader-sim.ts";

/**
 * The real Wiegand driver over the lines the simulated reader drives, with realistic timings
 * (50 us pulses, 2 ms apart, jitter, noise on the idle lines) and a clock the test moves.
 */
const KEY = "5a".repeat(32);
const hasher = createIdentifierHasher(KEY);

function setup(opts: { layout?: WiegandLayout; keypadBits?: 4 | 8; noisePerSecond?: number } = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const log = pino({ level: "debug" }, sink);
  const clock = new ManualClock();
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const sim = new SimWiegandReader(
    "gate",
    {
      layout: opts.layout ?? WIEGAND_26,
      keypadBits: opts.keypadBits ?? 8,
      timing: REALISTIC_TIMING,
      noisePerSecond: opts.noisePerSecond ?? 0,
      random,
    },
    clock,
    log,
  );
  const reader = new WiegandReader(
    "gate",
    { d0: sim.d0, d1: sim.d1 },
    { ...DEFAULT_DECODER, layouts: [WIEGAND_26, WIEGAND_34, WIEGAND_37], pinTimeoutMs: 10_000 },
    hasher,
    clock,
    log,
  );
  const reads: CredentialRead[] = [];
  const statuses: ReaderStatus[] = [];
  reader.onRead((r) => reads.push(r));
  reader.onStatus((s) => statuses.push(s));
  return { clock, sim, reader, reads, statuses, lines };
}

let current: ReturnType<typeof setup> | undefined;
afterEach(async () => {
  current?.sim.stop();
  await current?.reader.stop();
  current = undefined;
});

async function started(opts?: Parameters<typeof setup>[0]) {
  current = setup(opts);
  await current.reader.start();
  current.sim.start();
  return current;
}

describe("Wiegand reader: the driver over simulated lines", () => {
  it.each([
    { layout: WIEGAND_26, uid: "04A1B2C3", raw: "a1b2c3" },
    { layout: WIEGAND_34, uid: "04A1B2C3", raw: "04a1b2c3" },
    // 35 data bits: the UID's low 35 bits, left-padded to 5 bytes
    { layout: WIEGAND_37, uid: "04A1B2C3D4E5F6", raw: "02c3d4e5f6" },
  ])("$layout.name: a tapped card becomes one hashed read", async ({ layout, uid, raw }) => {
    const s = await started({ layout });
    s.sim.tap(uid);
    s.clock.advance(200);
    expect(s.reads).toHaveLength(1);
    expect(s.reads[0]).toMatchObject({ readerId: "gate", kind: "wiegand", format: layout.name });
    expect(s.reads[0]?.credential).toBe(hasher("wiegand", Buffer.from(raw, "hex")));
  });

  it("a PIN typed on the keypad becomes one read when # is pressed (4- and 8-bit bursts)", async () => {
    for (const keypadBits of [4, 8] as const) {
      const s = await started({ keypadBits });
      s.sim.tap("keys:*1234#");
      s.clock.advance(3000);
      expect(s.reads.map((r) => [r.kind, r.format])).toEqual([["keypad", "pin-4"]]);
      expect(s.reads[0]?.credential).toBe(hasher("keypad", new TextEncoder().encode("1234")));
      current = undefined;
      s.sim.stop();
      await s.reader.stop();
    }
  });

  it("a half-typed PIN is dropped after the timeout", async () => {
    const s = await started();
    s.sim.tap("keys:12");
    s.clock.advance(11_000);
    s.sim.tap("keys:34#");
    s.clock.advance(2000);
    expect(s.reads).toHaveLength(1);
    expect(s.reads[0]?.credential).toBe(hasher("keypad", new TextEncoder().encode("34")));
  });

  it("a truncated frame is refused: no read, an unsupported-card status", async () => {
    const s = await started();
    s.sim.tap("truncated:04A1B2C3");
    s.clock.advance(200);
    expect(s.reads).toEqual([]);
    expect(s.statuses.at(-1)).toMatchObject({
      type: "unsupported-card",
      detail: expect.stringMatching(/frame of 15 bits refused: no accepted format has 15 bits/),
    });
    expect(s.reader.counters.rejected).toBe(1);
  });

  it("line noise produces nothing but counters; a card sent amid constant noise still reads", async () => {
    const s = await started({ noisePerSecond: 200 });
    s.sim.tap("noise");
    s.clock.advance(500);
    expect(s.reads).toEqual([]);
    expect(s.statuses.filter((x) => x.type === "unsupported-card")).toEqual([]);
    expect(s.reader.counters.glitches).toBeGreaterThan(5);
    expect(s.reader.counters.noise).toBe(1);
    s.sim.tap("04A1B2C3");
    s.clock.advance(500);
    expect(s.reads).toHaveLength(1);
  });

  it("a line held low reports the reader offline, and online again once released", async () => {
    const s = await started();
    s.sim.d0.drive(true, s.clock.monotonic());
    s.clock.advance(STUCK_LINE_MS + 1);
    expect(s.statuses.at(-1)).toMatchObject({ type: "offline", detail: expect.stringMatching(/held low/) });
    s.sim.d0.drive(false, s.clock.monotonic());
    expect(s.statuses.at(-1)).toMatchObject({ type: "online" });
    expect(s.reads).toEqual([]);
  });

  it("never logs the card's number", async () => {
    const s = await started({ layout: WIEGAND_34 });
    s.sim.tap("04A1B2C3");
    s.sim.tap("truncated:04A1B2C3");
    s.sim.tap("keys:9876#");
    s.clock.advance(4000);
    // Without the timestamps and pid, whose digits could hold a short number by chance.
    const text = s.lines.map((l) => l.replace(/"(time|pid)":\d+,?/g, "")).join("");
    expect(s.lines.length).toBeGreaterThan(3);
    for (const needle of ["04a1b2c3", "04A1B2C3", String(0x04a1b2c3), String(0xb2c3), "9876"]) {
      expect(text).not.toContain(needle);
    }
  });
});

describe("the Wiegand reader's LED and beeper wires", () => {
  it("play the grant and deny patterns the controller signals", async () => {
    const { SimOutputLine } = await import("./gpio-lines.ts");
    const clock = new ManualClock();
    const sim = new SimWiegandReader(
      "gate",
      { layout: WIEGAND_26, keypadBits: 8, timing: REALISTIC_TIMING, noisePerSecond: 0, random: () => 0.5 },
      clock,
      pino({ level: "silent" }),
    );
    const led = new SimOutputLine("led");
    const beeper = new SimOutputLine("beeper");
    const trace: string[] = [];
    led.onChange((on) => trace.push(`${clock.monotonic()} led ${on ? "green" : "red"}`));
    beeper.onChange((on) => trace.push(`${clock.monotonic()} beep ${on ? "on" : "off"}`));
    const reader = new WiegandReader(
      "gate",
      { d0: sim.d0, d1: sim.d1 },
      { ...DEFAULT_DECODER, layouts: [WIEGAND_26], pinTimeoutMs: 10_000 },
      hasher,
      clock,
      pino({ level: "silent" }),
      { green: led, beeper },
    );
    await reader.start();
    reader.signal("grant");
    clock.advance(2000);
    expect(trace).toEqual(["0 led green", "0 beep on", "150 beep off", "1500 led red"]);
    trace.length = 0;
    reader.signal("deny");
    clock.advance(2000);
    expect(trace.filter((t) => t.endsWith("beep on"))).toHaveLength(3);
    expect(trace.some((t) => t.endsWith("green"))).toBe(false);
    await reader.stop();
  });
});
