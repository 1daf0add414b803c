import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../clock/manual-clock.ts";
import { signReport } from "./terminal-report.ts";
import { FaceTerminalWebhook } from "./terminal-webhook.ts";

const SECRET = "s".repeat(40);

describe("face terminal webhook", () => {
  let hook: FaceTerminalWebhook | undefined;
  afterEach(async () => {
    await hook?.stop();
    hook = undefined;
  });

  async function start() {
    const clock = new ManualClock(1_800_000_000_000);
    hook = new FaceTerminalWebhook({ host: "127.0.0.1", port: 0, secret: SECRET, toleranceS: 30 }, clock);
    const reports: unknown[] = [];
    const refusals: string[] = [];
    hook.onReport((r) => reports.push(r));
    hook.onRefusal((w) => refusals.push(w));
    await hook.start();
    const post = async (body: string, ts: number, sig = signReport(SECRET, ts, body)) => {
      const r = await fetch(`http://127.0.0.1:${hook?.port}/face/report`, {
        method: "POST",
        headers: { "x-waystation-timestamp": String(ts), "x-waystation-signature": sig },
        body,
      });
      return r.status;
    };
    return { clock, reports, refusals, post, now: Math.floor(clock.now() / 1000) };
  }

  it("accepts a signed, fresh report once; refuses a forgery, a stale one, a replay and garbage", async () => {
    const { reports, refusals, post, now } = await start();
    const body = JSON.stringify({ terminalId: "t1", personId: "w-9", score: 0.93 });
    expect(await post(body, now)).toBe(202);
    expect(reports).toEqual([{ terminalId: "t1", personId: "w-9", score: 0.93 }]);
    expect(await post(body, now)).toBe(401); // the same signature again: a replay
    expect(await post(body, now, signReport("x".repeat(40), now, body))).toBe(401);
    expect(await post(body.replace("w-9", "w-1"), now, signReport(SECRET, now, body))).toBe(401);
    expect(await post(body, now - 31)).toBe(401);
    expect(await post(body, now + 31)).toBe(401);
    expect(await post("{not json", now)).toBe(400);
    expect(await post(JSON.stringify({ personId: "w-9" }), now)).toBe(400);
    expect(await post("x".repeat(5000), now)).toBe(413);
    expect(refusals).toEqual([
      "replay",
      "bad-signature",
      "bad-signature",
      "stale",
      "stale",
      "malformed",
      "malformed",
      "too-large",
    ]);
    expect(reports).toHaveLength(1);
    expect(hook?.counts).toEqual({ accepted: 1, refused: 8 });
  });
});
