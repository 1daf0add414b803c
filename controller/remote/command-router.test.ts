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
  router.accepting = true;
  return { clock, router, events, total: () => total };
}

describe("command router", () => {
  it("refuses everything, local or central, until the station has started, and runs nothing", async () => {
    const { router, events, total } = rig();
    router.accepting = false;
    expect(await router.runLocal("add", { n: 1 }, "cli", "c1")).toMatchObject({
      status: "error",
      code: "STATION_NOT_READY",
    });
    const prepared = router.prepare("add", { n: 1 });
    if (!prepared.ok) throw new Error("add must prepare");
    expect(await router.run("c2", prepared, { kind: "central", keyId: "k1" })).toMatchObject({
      code: "STATION_NOT_READY",
    });
    expect(total()).toBe(0);
    expect(events.map((e) => [e.type, (e as { source?: string }).source])).toEqual([
      ["cmd.rejected", "local"],
      ["cmd.rejected", "mqtt"],
    ]);
    router.accepting = true;
    expect(await router.runLocal("add", { n: 2 }, "cli", "c3")).toMatchObject({ status: "ok" });
  });

  it("passes progress lines through to the command", async () => {
    const { router } = rig();
    router.register([
      defineCommand({
        name: "long",
        summary: "reports progress",
        args: z.object({}),
        run: async (_a, ctx) => {
          ctx.progress?.("half");
          return { status: "ok" };
        },
      }),
    ]);
    const lines: string[] = [];
    await router.runLocal("long", {}, "cli", "p1", (l) => lines.push(l));
    expect(lines).toEqual(["half"]);
  });

  it("a request that named no command is refused and audited as BAD_REQUEST", () => {
    const { router, events } = rig();
    expect(router.rejectRequest(undefined, "cli", "not JSON")).toMatchObject({ code: "BAD_REQUEST" });
    expect(events.at(-1)).toMatchObject({
      type: "cmd.rejected",
      code: "BAD_REQUEST",
      principal: "local:cli",
    });
    expect(router.rejectedCount).toBe(1);
  });

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
    expect(router.rejectedCount).toBe(100);
    clock.advance(60_000);
    router.rejected(reject("EXPIRED", "late"), "mqtt");
    expect(events.at(-1)).toMatchObject({ type: "cmd.rejected", code: "EXPIRED", suppressed: 40 });
  });
});
