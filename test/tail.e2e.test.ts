import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { StationProcess } from "./support/child.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { nextUnknownUid } from "./support/uids.ts";
import { waitFor } from "./support/wait.ts";

type Line = Record<string, unknown>;

/** `waystation tail` as a central-side developer runs it, against a real station and Mosquitto. */
describe("waystation tail", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const broker = new Mosquitto();
  let booted: BootedStation;
  const tails: StationProcess[] = [];

  function tail(...args: string[]): StationProcess {
    const p = new StationProcess(["tail", "--broker", broker.url, "--json", ...args]);
    tails.push(p);
    return p;
  }
  const events = (p: StationProcess) => p.logs().filter((l: Line) => l.kind === "event");
  const seqs = (p: StationProcess) => events(p).map((l) => Number(l.seq));
  const stop = async (p: StationProcess) => {
    p.proc.kill("SIGTERM");
    await p.exit();
  };

  beforeAll(async () => {
    await broker.start();
    const dir = mkdtempSync(join(tmpdir(), "ws-tail-"));
    const config = loadConfigFile(writeStationFile(dir, { brokerUrl: broker.url, allowUid: "04A1B2C3" }));
    booted = await bootStation({ config, logger: pino({ level: "silent" }), swingShutMs: 100 });
    await waitFor(() => booted.station.mqtt.link.connected, "station connected");
  });

  afterEach(() => {
    for (const t of tails.splice(0)) t.kill();
  });

  afterAll(async () => {
    await booted?.stop();
    await broker.stop();
  });

  it("shows events, drops a duplicate by id, reports a gap and an invalid message", async () => {
    const t = tail("--client-id", "tail-a");
    await waitFor(() => t.logs().find((l) => l.kind === "subscribed"), "tail subscribed", 10_000);
    booted.sim?.control.tap("04A1B2C3");
    await waitFor(() => events(t).find((e) => e.type === "door.unlocked"), "door.unlocked in tail", 10_000);
    expect(t.logs().find((l) => l.kind === "status")).toMatchObject({
      station: "test-station",
      online: true,
    });

    const granted = events(t).find((e) => e.type === "access.granted")?.event as Line;
    const raw = await mqtt.connectAsync(broker.url);
    const topic = "waystation/v1/test-station/events";
    await raw.publishAsync(topic, JSON.stringify({ ...granted, replayed: true }), { qos: 1 });
    await raw.publishAsync(topic, JSON.stringify({ ...granted, id: undefined }), { qos: 1 });
    const ahead = { ...granted, id: "0190f2c4-5b7e-7000-8000-00000000abcd", seq: Number(granted.seq) + 1000 };
    await raw.publishAsync(topic, JSON.stringify(ahead), { qos: 1 });
    await raw.endAsync();

    const dup = await waitFor(() => t.logs().find((l) => l.kind === "duplicate"), "duplicate notice");
    expect(dup).toMatchObject({ station: "test-station", seq: granted.seq, id: granted.id });
    const invalid = await waitFor(() => t.logs().find((l) => l.kind === "invalid"), "invalid notice");
    expect(String(invalid.problems)).toMatch(/^id:/);
    const gap = await waitFor(() => t.logs().find((l) => l.kind === "gap"), "gap notice");
    expect(Number(gap.to)).toBe(Number(granted.seq) + 999);
    // The duplicate was not shown as an event a second time.
    expect(events(t).filter((e) => e.seq === granted.seq)).toHaveLength(1);
  });

  it("keeps its session: events published while it was away arrive when it comes back", async () => {
    const first = tail("--client-id", "tail-persistent");
    await waitFor(() => first.logs().find((l) => l.kind === "subscribed"), "subscribed", 10_000);
    await stop(first);
    const before = booted.station.bus.lastSeq;
    booted.sim?.control.tap(nextUnknownUid());
    booted.sim?.control.tap(nextUnknownUid());
    await waitFor(
      () => booted.station.journal.backlog === 0 && booted.station.bus.lastSeq >= before + 2,
      "sent",
    );
    const again = tail("--client-id", "tail-persistent");
    await waitFor(() => seqs(again).includes(before + 2), "the events from while tail was away", 10_000);
    expect(again.logs().find((l) => l.kind === "connected")).toMatchObject({ sessionPresent: true });
    expect(seqs(again)).toContain(before + 1);
  });

  it("with --share, two consumers split the events between them", async () => {
    const a = tail("--client-id", "tail-share-a", "--share", "centre");
    const b = tail("--client-id", "tail-share-b", "--share", "centre");
    for (const t of [a, b])
      await waitFor(() => t.logs().find((l) => l.kind === "subscribed"), "subscribed", 10_000);
    const from = booted.station.bus.lastSeq;
    for (let i = 0; i < 40; i++) booted.sim?.control.tap(nextUnknownUid());
    const to = from + 40;
    const got = () => [...seqs(a), ...seqs(b)].filter((s) => s > from && s <= to);
    await waitFor(() => got().length >= 40, "40 events across the group", 10_000);
    expect(new Set(got()).size).toBe(40);
    expect(got()).toHaveLength(40);
    expect(seqs(a).filter((s) => s > from).length).toBeGreaterThan(0);
    expect(seqs(b).filter((s) => s > from).length).toBeGreaterThan(0);
  });
});
