import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { createIdentifierHasher } from "../device/identity/hasher.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { captureLogger } from "./support/capture-log.ts";
import { wiegandStationConfig } from "./support/wiegand-station.ts";

/**
 * A station with a Wiegand card reader and keypad: the simulated reader drives the lines with
 * realistic timing, the real decoder and driver read them, the controller decides.
 */
const KEY = "9e".repeat(32);
const hasher = createIdentifierHasher(KEY);

describe("a simulated station with a Wiegand reader", () => {
  const { logger, lines } = captureLogger("debug");
  const clock = new ManualClock();
  const events: StationEvent[] = [];
  let booted: BootedStation;
  const tap = (spec: string) => {
    const from = events.length;
    booted.sim?.control.tap(spec, "gate");
    clock.advance(3000);
    return events.slice(from).map((e) => e.type);
  };

  beforeAll(async () => {
    const config = await wiegandStationConfig("wiegand-test", [
      "allowList:",
      `  - { personId: card, credential: ${hasher("wiegand", Buffer.from("a1b2c3", "hex"))} }`,
      `  - { personId: pin, credential: ${hasher("keypad", new TextEncoder().encode("246813"))} }`,
      `  - { personId: short-pin, credential: ${hasher("keypad", new TextEncoder().encode("2468"))} }`,
      "pins: { allowPinOnly: true }",
    ]);
    booted = await bootStation({ config, logger, secrets: { credentialKey: KEY }, clock });
    booted.station.bus.subscribe((e) => events.push(e));
  });

  afterAll(async () => {
    await booted?.stop();
  });

  it("the reader is online and driven by the real decoder", () => {
    expect(booted.station.state().readers.gate?.status).toBe("online");
    expect(booted.readerPaths).toEqual([{ id: "gate", how: expect.stringMatching(/real Wiegand decoder/) }]);
  });

  it("a known card (26-bit frame of its UID) grants", () => {
    expect(tap("04A1B2C3")).toEqual(["access.granted", "door.unlocked", "door.locked"]);
    expect(events.find((e) => e.type === "access.granted")).toMatchObject({
      format: "wiegand-26",
      personId: "card",
    });
  });

  it("a PIN on the keypad grants; a wrong one is denied", () => {
    expect(tap("keys:246813#")).toEqual(["access.granted", "door.unlocked", "door.locked"]);
    expect(tap("keys:135799#")).toEqual(["access.denied"]);
  });

  it("a PIN below the minimum length (6) is refused, even one that is enrolled", () => {
    const from = events.length;
    expect(tap("keys:2468#")).toEqual(["access.denied"]);
    expect(events.slice(from).find((e) => e.type === "access.denied")).toMatchObject({
      reason: "pin-too-short",
    });
  });

  it("a truncated frame is refused with reader.unsupported-card; noise produces nothing", () => {
    expect(tap("truncated:04A1B2C3")).toEqual(["reader.unsupported-card"]);
    expect(tap("noise")).toEqual([]);
  });

  it("no card number or PIN reaches the log", () => {
    // Without the timestamps and pid, whose digits could hold a short number by chance.
    const text = lines.map((l) => l.replace(/"(time|pid)":\d+,?/g, "")).join("\n");
    for (const n of ["04a1b2c3", "04A1B2C3", "a1b2c3", String(0xb2c3), "246813", "135799", "2468"])
      expect(text).not.toContain(n);
  });
});
