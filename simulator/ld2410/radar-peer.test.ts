import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { encodeReport, REPORT_HEADER } from "../../device/ld2410/codec.ts";
import { Ld2410Parser } from "../../device/ld2410/parser.ts";
import { LinkPair } from "../serial/link-pair.ts";
import { uartCharMs } from "../serial/paced-wire.ts";
import { Ld2410Peer, RADAR_PEER_DEFAULTS } from "./radar-peer.ts";

/**
 * The simulated module's UART: its bytes leave at the baud rate, so a frame reaches the driver
 * over its wire time and in pieces, never faster than a real module could send it.
 */
const flush = () => new Promise<void>((r) => setImmediate(r));
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function capture(baudRate: number, ms: number) {
  const clock = new ManualClock();
  const pair = new LinkPair("/dev/ttyRADAR");
  const peer = new Ld2410Peer(pair.device, clock, { ...RADAR_PEER_DEFAULTS, baudRate });
  const chunks: { atMs: number; bytes: Uint8Array }[] = [];
  await pair.host.open();
  pair.host.onData((c) => chunks.push({ atMs: clock.monotonic(), bytes: c }));
  await peer.start();
  stops.push(() => peer.stop());
  const t0 = clock.monotonic();
  for (let t = 0; t < ms; t++) {
    clock.advance(1);
    await flush();
    await flush();
  }
  return { chunks, t0 };
}

describe("the simulated LD2410 paces its bytes like its UART", () => {
  it.each([256_000, 115_200, 9600])(
    "at %i baud: never faster than the line, frames every 100 ms",
    async (baud) => {
      const { chunks, t0 } = await capture(baud, 450);
      const char = uartCharMs(baud);
      let total = 0;
      for (const c of chunks) {
        total += c.bytes.length;
        // by time t at most (t - t0) / charMs whole characters can have left the module
        expect(total, `${total} bytes by ${c.atMs} ms`).toBeLessThanOrEqual(
          Math.floor((c.atMs - t0) / char + 1e-9),
        );
      }
      // ... and nothing is lost: the pieces make whole report frames, about one per period
      const parser = new Ld2410Parser("host");
      const frames = chunks.flatMap((c) => parser.push(c.bytes)).filter((f) => f.kind === "report");
      expect(frames.length).toBeGreaterThanOrEqual(4);
      expect(parser.stats.garbageBytes).toBe(0);
      const starts = chunks.filter((c) => REPORT_HEADER.every((b, i) => c.bytes[i] === b)).map((c) => c.atMs);
      for (let i = 1; i < starts.length; i++)
        expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeCloseTo(100, -1);
    },
  );

  it("a report frame arrives in pieces over its wire time (at 115200 baud: 11.5 bytes per ms)", async () => {
    const { chunks } = await capture(115_200, 150);
    const first = chunks.findIndex((c) => REPORT_HEADER.every((b, i) => c.bytes[i] === b));
    const frameBytes = encodeReport(
      new Ld2410Peer(new LinkPair("x").device, new ManualClock()).currentReport(),
    ).length;
    let got = 0;
    let last = first;
    while (got < frameBytes && last < chunks.length) got += chunks[last++]?.bytes.length ?? 0;
    expect(last - first, "pieces").toBeGreaterThan(1);
    const span = (chunks[last - 1]?.atMs ?? 0) - (chunks[first]?.atMs ?? 0);
    expect(span).toBeGreaterThanOrEqual(Math.floor((frameBytes - 12) * uartCharMs(115_200)));
  });
});
