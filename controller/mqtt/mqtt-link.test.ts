import { createServer } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { SystemClock } from "../../device/clock/system-clock.ts";
import type { TimerHandle } from "../../device/ports/clock.ts";
import { MqttLink } from "./mqtt-link.ts";

/**
 * The real link's reconnect delays, against a port nobody listens on. The clock records the
 * delay the link asks for and then fires at once, so a dozen attempts take milliseconds.
 */
class RecordingClock extends SystemClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    return super.setTimeout(fn, 0);
  }
}

/** A port that was free a moment ago, so nothing answers there. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const addr = s.address();
  await new Promise((r) => s.close(r));
  return typeof addr === "object" && addr ? addr.port : 1;
}

const links: MqttLink[] = [];
afterEach(async () => {
  for (const l of links.splice(0)) await l.stop();
});

async function delaysOf(url: string, n: number): Promise<number[]> {
  const clock = new RecordingClock();
  const link = new MqttLink(
    {
      urls: [url],
      clientId: "jitter-test",
      protocolVersion: 5,
      keepaliveS: 30,
      sessionExpiryS: 60,
      connectTimeoutMs: 2000,
      reconnect: { baseMs: 1000, capMs: 64_000 },
      will: { topic: "t/status", payload: "{}" },
      maxIncomingPacketBytes: 256 * 1024,
    },
    clock,
    pino({ level: "silent" }),
  );
  links.push(link);
  link.start();
  const deadline = Date.now() + 10_000;
  while (clock.delays.length < n) {
    if (Date.now() > deadline) throw new Error(`only ${clock.delays.length} reconnect attempts`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return clock.delays.slice(0, n);
}

describe("the MQTT link's reconnect delays", () => {
  it("are fully jittered in the real link: two stations that lost the broker together do not retry in step", async () => {
    const url = `mqtt://127.0.0.1:${await closedPort()}`;
    const [a, b] = await Promise.all([delaysOf(url, 8), delaysOf(url, 8)]);
    // Within the full-jitter window of each attempt: [0, min(cap, base * 2^n)).
    a.forEach((d, n) => {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(64_000, 1000 * 2 ** n));
    });
    // A fixed "random" gives both the same sequence, and the same fraction of every window.
    expect(a).not.toEqual(b);
    const fractions = a.map((d, n) => d / Math.min(64_000, 1000 * 2 ** n));
    expect(new Set(fractions.map((f) => f.toFixed(3))).size).toBeGreaterThan(4);
  });
});
