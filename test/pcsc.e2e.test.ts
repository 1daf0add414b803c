import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../config/load.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import { createIdentifierHasher, parseHexIdentifier } from "../device/identity/hasher.ts";
import type { PcscCardReader } from "../device/pcsc/pcsc-reader.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import type { PrivatePcscd } from "../scripts/pcscd.ts";
import { captureLogger } from "./support/capture-log.ts";
import { freePort } from "./support/net.ts";
import { pcscdDaemon, privatePcscd, vpcdDriver } from "./support/pcscd.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The PC/SC path on the real stack: a pcscd of the test's own (own config, own socket, own vpcd
 * ports) with the vsmartcard vpcd reader, nfc-pcsc and our driver in the station, and the
 * simulator playing cards into vpcd over TCP.
 */
const KEY = "c3".repeat(32);
const hasher = createIdentifierHasher(KEY);
const MIFARE_4 = "04A1B2C3";
const MIFARE_7 = "04C1D2E3F40580";
const UNKNOWN = "DEADBEEF";
const ID_CARD = "0123456789ABCDEF";
const hash = (kind: "card-uid" | "resident-id", hex: string) =>
  hasher(kind, parseHexIdentifier(hex) ?? new Uint8Array());

describe("PC/SC readers on real pcscd + vpcd", () => {
  if (!realStackAvailable(pcscdDaemon, vpcdDriver)) return;

  const { logger, lines } = captureLogger("debug");
  const events: StationEvent[] = [];
  let pcscd: PrivatePcscd;
  let booted: BootedStation;

  const tap = (spec: string) => booted.sim?.control.tap(spec);
  const since = (from: number) => events.slice(from);
  const waitForEvent = (type: string, from: number, timeoutMs = 8000) =>
    waitFor(() => since(from).find((e) => e.type === type), `${type}`, timeoutMs);
  const slot = () => booted.sim?.readers[0];
  const driver = () => slot()?.reader as PcscCardReader;

  beforeAll(async () => {
    const p = privatePcscd();
    pcscd = p.daemon;
    await pcscd.start();
    const dir = mkdtempSync(join(tmpdir(), "ws-pcsc-"));
    const r = parseConfigText(`station: { id: pcsc-test }
dataDir: ${dir}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
  readers: [{ id: entry, kind: pcsc, repeatMs: 2000 }]
door: { lockMode: fail-secure, unlockMs: 1000 }
access:
  allowList:
    - { personId: w4, credential: ${hash("card-uid", MIFARE_4)} }
    - { personId: w7, credential: ${hash("card-uid", MIFARE_7)} }
    - { personId: wid, credential: ${hash("resident-id", ID_CARD)} }
mqtt: { url: "mqtt://127.0.0.1:${await freePort()}" }
console: { enabled: false }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    booted = await bootStation({
      config: r.config,
      logger,
      secrets: { credentialKey: KEY },
      pcscStack: p.stack,
      swingShutMs: 200,
    });
    booted.station.bus.subscribe((e) => events.push(e));
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state !== "fail") return;
    // What the readers and the simulator did, for whoever reads the CI log.
    console.log(
      lines
        .filter((l) => /"module":"(pcsc|reader|simulator|readers)"/.test(l))
        .slice(-60)
        .join("\n"),
    );
    console.log(events.map((e) => e.type).join(" "));
  });

  afterAll(async () => {
    await booted?.stop();
    await pcscd?.dispose();
  });

  it("binds the virtual reader and reports it online", async () => {
    await waitFor(() => booted.station.state().readers.entry?.status === "online", "reader online", 8000);
    expect(booted.readerPaths[0]?.how).toMatch(/real PC\/SC driver .* vpcd/);
  });

  it.each([
    { card: MIFARE_4, format: "uid-4", personId: "w4" },
    { card: MIFARE_7, format: "uid-7", personId: "w7" },
  ])("a known MIFARE card ($format) grants and unlocks", async ({ card, format, personId }) => {
    const from = events.length;
    tap(card);
    const granted = await waitForEvent("access.granted", from);
    expect(granted).toMatchObject({ readerId: "entry", format, personId });
    await waitForEvent("door.unlocked", from);
    await waitForEvent("door.locked", from);
  });

  it("an unknown card is denied", async () => {
    const from = events.length;
    tap(UNKNOWN);
    const denied = await waitForEvent("access.denied", from);
    expect(denied).toMatchObject({ reason: "unknown", format: "uid-4" });
    expect(since(from).map((e) => e.type)).not.toContain("door.unlocked");
  });

  it("the resident ID card grants once per presentation, not once per re-read", async () => {
    const reader = driver();
    const repeatsBefore = reader.counters.repeats;
    const from = events.length;
    tap(ID_CARD); // lies on the reader ~3 s; vpcd loses and re-finds it, as a real reader does
    const granted = await waitForEvent("access.granted", from);
    expect(granted).toMatchObject({ format: "serial-8", personId: "wid" });
    await waitFor(() => reader.counters.repeats >= repeatsBefore + 1, "a re-read of the lying card", 8000);
    await waitFor(() => slot()?.busy === false, "the person picking the card up", 10_000);
    expect(since(from).filter((e) => e.type === "access.granted")).toHaveLength(1);
    // A separate presentation: after the card has been away for longer than repeatMs.
    const pickedUp = performance.now();
    await waitFor(
      () =>
        performance.now() - pickedUp > 2000 && !booted.station.entrance.door.snapshot().lock.startsWith("un"),
      "repeatMs to pass",
      8000,
    );
    const again = events.length;
    tap(ID_CARD);
    await waitForEvent("access.granted", again);
  }, 30_000);

  it("a broken card is refused cleanly: reader.unsupported-card, no decision, and the next card works", async () => {
    const from = events.length;
    tap("broken");
    const ev = await waitForEvent("reader.unsupported-card", from);
    expect(ev).toMatchObject({ readerId: "entry", detail: expect.stringMatching(/GET DATA|status word/) });
    expect(since(from).filter((e) => e.type.startsWith("access."))).toEqual([]);
    const next = events.length;
    tap(MIFARE_4);
    await waitForEvent("access.granted", next);
  });

  it("survives pcscd being killed and restarted: reader.offline, reader.online, cards read again", async () => {
    const from = events.length;
    await pcscd.stop({ crash: true });
    const offline = await waitForEvent("reader.offline", from);
    expect(offline).toMatchObject({ readerId: "entry", detail: expect.stringMatching(/pcscd/) });
    await pcscd.start();
    await waitForEvent("reader.online", from, 10_000);
    const after = events.length;
    tap(MIFARE_7); // not the card of the previous test: that one is still within repeatMs
    await waitForEvent("access.granted", after);
  }, 30_000);

  it("survives an orderly pcscd stop and a later start", async () => {
    const from = events.length;
    await pcscd.stop();
    await waitForEvent("reader.offline", from);
    expect(booted.station.state().readers.entry?.status).toBe("offline");
    await pcscd.start();
    await waitForEvent("reader.online", from, 10_000);
    const after = events.length;
    tap(MIFARE_4);
    await waitForEvent("access.granted", after);
  }, 30_000);

  it("no raw identifier reaches the log", () => {
    const needles = [MIFARE_4, MIFARE_7, UNKNOWN, ID_CARD].flatMap((u) => [
      u,
      u.toLowerCase(),
      (parseHexIdentifier(u) ?? new Uint8Array()).join(","),
    ]);
    const text = lines.join("\n");
    expect(lines.length).toBeGreaterThan(20);
    for (const n of needles) expect(text).not.toContain(n);
  });
});
