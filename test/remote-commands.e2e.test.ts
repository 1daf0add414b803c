import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { commandEnvelope, signEnvelope } from "../scripts/central/sign.ts";
import { runCli } from "./support/child.ts";
import { mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { newKey, pinLine, STATION, useRemoteRig } from "./support/remote-station.ts";

/**
 * Signed commands against a real Mosquitto and a real `waystation run` process: every rejection
 * gets its reply and its `cmd.rejected` event and changes nothing; what passes runs through the
 * router and is audited; a nonce stays spent across a restart.
 */
describe("signed commands over a real Mosquitto", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const { station, central } = useRemoteRig(() => [
    pinLine(a.kid, a.publicKey),
    pinLine(b.kid, b.publicKey),
    pinLine(old.kid, old.publicKey, true),
  ]);
  const a = newKey("central-a");
  const b = newKey("central-b");
  const old = newKey("central-old");
  const stranger = newKey("central-a"); // same kid, a key the station never pinned

  const env = (over: Partial<Parameters<typeof commandEnvelope>[0]> & Record<string, unknown> = {}) => ({
    ...commandEnvelope({ station: STATION, name: "unlock", ...over }),
    ...(over.raw as Record<string, unknown> | undefined),
  });

  /** Nothing happened: the door is locked and no unlock or executed command was journalled. */
  async function expectUnchanged(id: string | null, eventsBefore: number): Promise<void> {
    expect((await station.state()).door.lock).toBe("locked");
    const after = central.events.slice(eventsBefore);
    expect(after.filter((e) => e.type === "door.unlocked")).toEqual([]);
    expect(after.filter((e) => e.type === "cmd.executed" && (id === null || e.commandId === id))).toEqual([]);
  }

  it("an unlock signed by either active key opens the door within its limits, audited with the key", async () => {
    const e = env();
    const reply = await central.command(b, e);
    expect(reply).toMatchObject({
      id: e.id,
      status: "ok",
      code: "OK",
      data: { unlockMs: expect.any(Number) },
    });
    const executed = await central.event("cmd.executed", (x) => x.commandId === e.id);
    expect(executed).toMatchObject({ name: "unlock", principal: "central:central-b", status: "ok" });
    await central.event("door.unlocked", (x) => x.reason === "grant");
    const lock = env({ name: "lock" });
    expect(await central.command(a, lock)).toMatchObject({ status: "ok", code: "OK" });
    await central.event("door.locked", (x) => x.reason === "command");
    expect((await station.state()).door.lock).toBe("locked");
  });

  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const rejections: {
    what: string;
    code: string;
    make: () => { id: string; message: unknown; topic?: string };
  }[] = [
    {
      what: "a tampered signature",
      code: "BAD_SIGNATURE",
      make: () => {
        const e = env();
        const m = signEnvelope(e, a);
        const forged = Buffer.from(
          JSON.stringify({ ...e, args: {}, name: "unlock", station: STATION, nonce: `${e.nonce}x` }),
        );
        return { id: e.id, message: { ...m, envelope: forged.toString("base64url") } };
      },
    },
    {
      what: "a key signed under a pinned kid it does not own",
      code: "BAD_SIGNATURE",
      make: () => {
        const e = env();
        return { id: e.id, message: signEnvelope(e, stranger) };
      },
    },
    {
      what: "an unknown key",
      code: "UNKNOWN_KEY",
      make: () => {
        const e = env();
        return { id: e.id, message: signEnvelope(e, newKey("central-zz")) };
      },
    },
    {
      what: "a retired key",
      code: "RETIRED_KEY",
      make: () => {
        const e = env();
        return { id: e.id, message: signEnvelope(e, old) };
      },
    },
    {
      what: "another station",
      code: "WRONG_STATION",
      make: () => {
        const e = env({ station: "other-station" });
        return { id: e.id, message: signEnvelope(e, a) };
      },
    },
    {
      what: "an expired command",
      code: "EXPIRED",
      make: () => {
        const e = env({ raw: { issuedAt: iso(now - 600_000), expiresAt: iso(now - 300_000) } });
        return { id: e.id, message: signEnvelope(e, a) };
      },
    },
    {
      what: "a command not yet valid",
      code: "NOT_YET_VALID",
      make: () => {
        const e = env({ raw: { issuedAt: iso(now + 300_000), expiresAt: iso(now + 600_000) } });
        return { id: e.id, message: signEnvelope(e, a) };
      },
    },
    {
      what: "an unknown command",
      code: "UNKNOWN_COMMAND",
      make: () => {
        const e = env({ name: "self-destruct" });
        return { id: e.id, message: signEnvelope(e, a), topic: "self-destruct" };
      },
    },
    {
      what: "bad arguments",
      code: "BAD_ARGS",
      make: () => {
        const e = env({ name: "passage-mode", args: { active: "yes" } });
        return { id: e.id, message: signEnvelope(e, a), topic: "passage-mode" };
      },
    },
  ];

  it.each(rejections)("$what → $code, replied, journalled, nothing changed", async ({ code, make }) => {
    const before = central.events.length;
    const { id, message, topic } = make();
    await central.publish(topic ?? "unlock", message as never);
    const reply = await central.reply(id);
    expect(reply).toMatchObject({ id, status: "error", code, data: { detail: expect.any(String) } });
    const rejected = await central.event("cmd.rejected", (e) => e.commandId === id);
    expect(rejected).toMatchObject({ code, source: "mqtt" });
    await expectUnchanged(id, before);
  });

  it.each([
    {
      what: "malformed JSON",
      code: "MALFORMED",
      payload: () => Buffer.from('{"kid": "central-a", "envelope": '),
    },
    { what: "an oversize payload", code: "TOO_LARGE", payload: () => Buffer.alloc(200_000, 0x20) },
  ])("$what → $code on the MQTT 5 response topic with the correlation data", async ({ code, payload }) => {
    const before = central.events.length;
    const correlationData = randomBytes(8);
    await central.publish("unlock", payload(), { correlationData });
    const r = await central.response(correlationData);
    expect(r.json).toMatchObject({ id: null, status: "error", code });
    await central.event("cmd.rejected", (e) => e.code === code && central.events.indexOf(e) >= before);
    await expectUnchanged(null, before);
  });

  it("an accepted command also answers on the response topic with the correlation data", async () => {
    const e = env({ name: "rebirth" });
    const correlationData = randomBytes(8);
    await central.publish("rebirth", signEnvelope(e, a), { correlationData });
    const r = await central.response(correlationData);
    expect(r.json).toMatchObject({ id: e.id, status: "ok" });
  });

  it("a rejected message does not spend its nonce: sent on the wrong topic, then on the right one", async () => {
    const e = env({ name: "rebirth" });
    const m = signEnvelope(e, a);
    await central.publish("unlock", m);
    expect(await central.reply(e.id)).toMatchObject({ code: "NAME_MISMATCH" });
    central.replies.length = 0;
    await central.publish("rebirth", m);
    expect(await central.reply(e.id)).toMatchObject({ status: "ok" });
  });

  it("a replay is rejected, and still after the station restarted", async () => {
    const e = env();
    const m = signEnvelope(e, a);
    expect(await central.command(a, e)).toMatchObject({ status: "ok" });
    await central.event("door.unlocked");
    const lock = env({ name: "lock" });
    expect(await central.command(a, lock)).toMatchObject({ status: "ok" });
    central.replies.length = 0;
    await central.publish("unlock", m);
    expect(await central.reply(e.id)).toMatchObject({ status: "error", code: "REPLAYED" });

    await station.stop();
    await station.start();
    central.replies.length = 0;
    const before = central.events.length;
    await central.publish("unlock", m);
    expect(await central.reply(e.id)).toMatchObject({ status: "error", code: "REPLAYED" });
    await central.event("cmd.rejected", (x) => x.commandId === e.id && central.events.indexOf(x) >= before);
    await expectUnchanged(e.id, before);
  }, 40_000);

  it("while the station's time is unknown: a newer command is taken, an older one is STALE", async () => {
    await station.sim("time-quality", { quality: "unknown" });
    try {
      // Outside any window by the clock, but issued after everything accepted so far.
      const newer = env({ name: "rebirth", now: Date.now() + 3_600_000 });
      expect(await central.command(a, newer)).toMatchObject({ status: "ok" });
      const older = env({ name: "rebirth" });
      expect(await central.command(a, older)).toMatchObject({ status: "error", code: "STALE" });
    } finally {
      await station.sim("time-quality", { quality: "synced" });
    }
  });

  it("diagnostics: versions, health and a log tail without secrets", async () => {
    const e = env({ name: "diagnostics", args: { lines: 200 } });
    const reply = await central.command(a, e);
    expect(reply.status).toBe("ok");
    const data = reply.data as {
      versions: { waystation: string; node: string };
      health: { door: unknown };
      log: string[];
    };
    expect(data.versions.node).toBe(process.versions.node);
    expect(data.health.door).toBeDefined();
    expect(data.log.length).toBeGreaterThan(5);
    expect(data.log.some((l) => l.includes("command ran"))).toBe(true);
    expect(JSON.stringify(data)).not.toMatch(/credentialKey"\s*:\s*"[0-9a-f]{64}/);
  });

  it("the technician's fire reset from the CLI goes through the same router, audited as local:cli", async () => {
    const before = central.events.length;
    const r = await runCli(["door", "fire-reset", "--config", station.configFile]);
    expect(r.code).toBe(0);
    const ev = await central.event(
      "cmd.executed",
      (x) => x.name === "fire-reset" && central.events.indexOf(x) >= before,
    );
    expect(ev).toMatchObject({ principal: "local:cli", status: "ok" });
  });
});
