import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import type { StationEvent } from "../contract/events.ts";
import { EventBus } from "../events/event-bus.ts";
import { defineCommand } from "../subsystem.ts";
import { CommandRouter } from "./command-router.ts";
import { reject } from "./signed-message.ts";

function rig() {
  const clock = new ManualClock();
  const bus = new EventBus("s", "boot", clock, () => {});
  const events: StationEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const router = new CommandRouter(bus, clock, pino({ level: "silent" }));
  let total = 0;
  router.register([
    defineCommand({
      name: "add",
      summary: "adds n",
      args: z.object({ n: z.number().int() }).strict(),
      run: async ({ n }) => {
        total += n;
        return { status: "ok", data: { total } };
      },
    }),
    defineCommand({
      name: "boom",
      summary: "throws",
      args: z.object({}),
      run: async () => {
        throw new Error("broken");
      },
    }),
  ]);
  return { clock, router, events, total: () => total };
}

describe("command router", () => {
  it("runs a local command with its principal and audits it", async () => {
    const { router, events, total } = rig();
    const r = await router.runLocal("add", { n: 2 }, "console", "l-1");
    expect(r).toEqual({ id: "l-1", status: "ok", code: "OK", data: { total: 2 } });
    expect(total()).toBe(2);
    expect(events.at(-1)).toMatchObject({
      type: "cmd.executed",
      commandId: "l-1",
      principal: "local:console",
    });
  });

  it.each([
    { name: "nope", args: {}, code: "UNKNOWN_COMMAND" },
    { name: "add", args: { n: "2" }, code: "BAD_ARGS" },
    { name: "add", args: { n: 1, extra: true }, code: "BAD_ARGS" },
  ])("$name $args → $code, audited, nothing run", async ({ name, args, code }) => {
    const { router, events, total } = rig();
    const r = await router.runLocal(name, args, "cli", "l-2");
    expect(r).toMatchObject({ id: "l-2", status: "error", code });
    expect(total()).toBe(0);
    expect(events.at(-1)).toMatchObject({
      type: "cmd.rejected",
      code,
      source: "local",
      principal: "local:cli",
    });
  });

  it("a command that throws is an error reply, not a crash", async () => {
    const { router } = rig();
    expect(await router.runLocal("boom", {}, "cli", "l-3")).toMatchObject({
      status: "error",
      code: "FAILED",
    });
  });

  it("refuses two specs with one name", () => {
    const { router } = rig();
    expect(() =>
      router.register([
        defineCommand({ name: "add", summary: "", args: z.object({}), run: async () => ({ status: "ok" }) }),
      ]),
    ).toThrow(/twice/);
  });

  it("journals at most 60 rejections a minute, then says how many it suppressed", () => {
    const { router, events, clock } = rig();
    for (let i = 0; i < 100; i++) {
      expect(router.rejected(reject("BAD_SIGNATURE", "x", { id: `c-${i}` }), "mqtt")).toMatchObject({
        id: `c-${i}`,
        code: "BAD_SIGNATURE",
      });
    }
    expect(events.filter((e) => e.type === "cmd.rejected")).toHaveLength(60);
    clock.advance(60_000);
    router.rejected(reject("EXPIRED", "late"), "mqtt");
    expect(events.at(-1)).toMatchObject({ type: "cmd.rejected", code: "EXPIRED", suppressed: 40 });
  });
});
