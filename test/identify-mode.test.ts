import { afterEach, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import type { Principal } from "../controller/subsystem.ts";
import { entranceHarness, type Harness, harnessConfig, summary, worker } from "./support/entrance-harness.ts";

/**
 * "Who is this card": while identify mode is on a card is shown, never decided (the door of a
 * known card stays shut, unknown cards count towards no lockout); it ends by itself.
 */
const KNOWN = "04A1B2C3";
const unknown = (i: number) => `0BAD${i.toString(16).padStart(4, "0")}`;
const LOCAL: Principal = { kind: "local", via: "console", user: "tech" };

describe("identify mode", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = async () => {
    h = await entranceHarness({
      credentials: [worker(KNOWN, { personId: "w-17" })],
      config: harnessConfig(
        "door: { lockMode: fail-secure }\naccess: { rereadSuppressMs: 1000, lockout: { threshold: 3, cooldownMs: 60000 } }\n",
      ),
    });
    return h;
  };
  const identify = async (x: Harness, args: Record<string, unknown>, principal: Principal = LOCAL) => {
    const spec = x.entrance.identify.command();
    return spec.run(spec.args.parse(args), { principal });
  };
  const identified = (x: Harness, from: number) =>
    x.events.slice(from).filter((e) => e.type === "reader.card-identified") as (StationEvent & {
      known: boolean;
      personId?: string;
      role?: string;
      status?: string;
      format: string;
    })[];

  it("shows a known card without opening the door, and refuses no worker after it times out", async () => {
    const x = await start();
    const from = x.events.length;
    expect(await identify(x, {})).toMatchObject({ status: "ok", data: { active: true, secondsLeft: 60 } });
    x.sim.control.tap(KNOWN);
    expect(summary(x.events, from)).toEqual(["reader.identify-started", "reader.card-identified"]);
    expect(identified(x, from)[0]).toMatchObject({
      known: true,
      personId: "w-17",
      role: "worker",
      status: "active",
      format: "uid-4",
    });
    expect(x.entrance.door.snapshot().lock).toBe("locked");
    expect(x.sim.readers[0]?.signals.at(-1)).toBe("deny");
    // it ends by itself: then the same card opens the door as always
    x.clock.advance(60_000);
    expect(summary(x.events).at(-1)).toBe("reader.identify-ended:timeout");
    x.sim.control.tap(KNOWN);
    expect(summary(x.events).slice(-2)).toEqual(["access.granted:granted", "door.unlocked:grant"]);
  });

  it("unknown cards are shown as unknown and count towards no lockout; stopping it ends it at once", async () => {
    const x = await start();
    await identify(x, { seconds: 120 });
    const from = x.events.length;
    for (let i = 0; i < 5; i++) x.sim.control.tap(unknown(i));
    expect(identified(x, from).map((e) => e.known)).toEqual([false, false, false, false, false]);
    expect(summary(x.events, from).filter((e) => e.startsWith("access.") || e.startsWith("alarm."))).toEqual(
      [],
    );
    expect(x.entrance.snapshot().readers.entry?.lockedOut).toBe(false);
    expect(await identify(x, { active: false })).toMatchObject({ data: { active: false, secondsLeft: 0 } });
    expect(x.events.at(-1)).toMatchObject({ type: "reader.identify-ended", reason: "stopped" });
    x.clock.advance(2000);
    x.sim.control.tap(KNOWN);
    expect(summary(x.events).slice(-2)).toEqual(["access.granted:granted", "door.unlocked:grant"]);
  });

  it("is for the station's own technician only, and never longer than 300 s at a time", async () => {
    const x = await start();
    const central: Principal = { kind: "central", keyId: "ops-1" };
    expect(await identify(x, {}, central)).toMatchObject({ status: "error", code: "LOCAL_ONLY" });
    expect(x.entrance.identify.active()).toBe(false);
    const spec = x.entrance.identify.command();
    expect(spec.args.safeParse({ seconds: 301 }).success).toBe(false);
    // renewing restarts the time: one timer, one end
    await identify(x, { seconds: 30 });
    x.clock.advance(20_000);
    await identify(x, { seconds: 30 });
    x.clock.advance(20_000);
    expect(x.entrance.identify.active()).toBe(true);
    x.clock.advance(10_000);
    expect(x.entrance.identify.active()).toBe(false);
    expect(summary(x.events).filter((e) => e.startsWith("reader.identify-ended"))).toHaveLength(1);
  });
});
