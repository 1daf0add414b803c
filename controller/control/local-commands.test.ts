import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import type { StationEvent } from "../contract/events.ts";
import { EventBus } from "../events/event-bus.ts";
import { defineCommand } from "../subsystem.ts";
import { LocalCommands } from "./local-commands.ts";

function rig() {
  const clock = new ManualClock();
  const bus = new EventBus(
    "s1",
    "boot",
    clock,
    () => undefined,
    () => "synced",
  );
  const events: StationEvent[] = [];
  bus.subscribe((e) => events.push(e));
  let ran = 0;
  const specs = [
    defineCommand({
      name: "bump",
      summary: "adds n",
      args: z.object({ n: z.number().int() }).strict(),
      run: async ({ n }) => {
        ran += n;
        return { status: "ok", data: { ran } };
      },
    }),
    defineCommand({
      name: "boom",
      summary: "throws",
      args: z.object({}).strict(),
      run: async () => {
        throw new Error("kaputt");
      },
    }),
  ];
  const local = new LocalCommands(
    () => specs,
    bus,
    () => clock.monotonic(),
    pino({ level: "silent" }),
  );
  return { local, events, clock, ran: () => ran };
}

describe("local commands", () => {
  it("refuses everything until the station has started, and runs nothing", async () => {
    const r = rig();
    expect(await r.local.runLocal("bump", { n: 1 }, "cli", "c1")).toMatchObject({
      status: "error",
      code: "STATION_NOT_READY",
    });
    expect(r.ran()).toBe(0);
    r.local.accepting = true;
    expect(await r.local.runLocal("bump", { n: 2 }, "cli", "c2")).toEqual({
      id: "c2",
      status: "ok",
      code: "OK",
      data: { ran: 2 },
    });
  });

  it("audits each outcome with the local principal; a throwing command is an error reply", async () => {
    const r = rig();
    r.local.accepting = true;
    await r.local.runLocal("bump", { n: 1 }, "cli", "a");
    expect(await r.local.runLocal("boom", {}, "cli", "b")).toMatchObject({ status: "error", code: "FAILED" });
    await r.local.runLocal("bump", { n: "x" }, "cli", "c");
    expect(
      r.events.map((e) => [e.type, (e as { code?: string }).code, (e as { principal?: string }).principal]),
    ).toEqual([
      ["cmd.executed", "OK", "local:cli"],
      ["cmd.executed", "FAILED", "local:cli"],
      ["cmd.rejected", "BAD_ARGS", "local:cli"],
    ]);
  });

  it("journals at most 60 rejections a minute, then counts the rest into the next one", async () => {
    const r = rig();
    r.local.accepting = true;
    for (let i = 0; i < 75; i++) await r.local.runLocal("nope", {}, "cli", `r${i}`);
    expect(r.events.filter((e) => e.type === "cmd.rejected")).toHaveLength(60);
    expect(r.local.rejectedCount).toBe(75);
    r.clock.advance(60_000);
    await r.local.runLocal("nope", {}, "cli", "late");
    const last = r.events.at(-1) as StationEvent & { suppressed?: number };
    expect(last).toMatchObject({ type: "cmd.rejected", commandId: "late", suppressed: 15 });
  });
});
