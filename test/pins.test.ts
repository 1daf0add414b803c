import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { createIdentifierHasher } from "../device/identity/hasher.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { wiegandStationConfig } from "./support/wiegand-station.ts";

/** PINs on a Wiegand keypad: a minimum length, and not accepted on their own unless the file says so. */
const KEY = "3c".repeat(32);
const pinHash = (pin: string) => createIdentifierHasher(KEY)("keypad", new TextEncoder().encode(pin));

const secondFactorEntry = { personId: "w2", role: "worker", status: "active", secondFactor: true } as const;

interface Keypad {
  booted: BootedStation;
  events: StationEvent[];
  clock: ManualClock;
  /** the access decisions ("type:reason") the keys gave */
  type(keys: string): string[];
}

const started: BootedStation[] = [];
afterEach(async () => {
  for (const b of started.splice(0)) await b.stop();
});

async function station(access: string): Promise<Keypad> {
  const config = await wiegandStationConfig("pins", [
    "allowList:",
    `  - { personId: short, credential: ${pinHash("2468")} }`,
    `  - { personId: long, credential: ${pinHash("246813")} }`,
    ...(access ? [access] : []),
  ]);
  const clock = new ManualClock();
  const booted = await bootStation({
    config,
    logger: pino({ level: "silent" }),
    secrets: { credentialKey: KEY },
    clock,
    // Person w2 needs a second factor: a card, and their PIN typed first.
    seedCredentials: (store, hasher) =>
      store.upsert([
        { ...secondFactorEntry, credential: hasher("wiegand", Buffer.from("a1b2c3", "hex")) },
        { ...secondFactorEntry, credential: hasher("keypad", new TextEncoder().encode("135799")) },
      ]),
  });
  started.push(booted);
  const events: StationEvent[] = [];
  booted.station.bus.subscribe((e) => events.push(e));
  return {
    booted,
    clock,
    events,
    type(keys) {
      const from = events.length;
      booted.sim?.control.tap(keys.startsWith("card:") ? keys.slice(5) : `keys:${keys}#`, "gate");
      clock.advance(3000);
      return events
        .slice(from)
        .filter((e) => e.type.startsWith("access."))
        .map((e) => `${e.type}:${(e as { reason?: string }).reason}`);
    },
  };
}

describe("PINs", () => {
  it("by default a PIN alone opens nothing, even an enrolled one", async () => {
    const k = await station("");
    expect(k.type("246813")).toEqual(["access.denied:pin-only-refused"]);
    expect(k.booted.station.entrance.door.snapshot().lock).toBe("locked");
  });

  it("by default a PIN is a second factor: typed first, then the person's card, it grants once", async () => {
    const k = await station("");
    expect(k.type("card:04A1B2C3")).toEqual(["access.denied:needs-second-factor"]);
    expect(k.type("135799")).toEqual(["access.denied:pin-only-refused"]);
    expect(k.type("card:04A1B2C3")).toEqual(["access.granted:granted"]);
    expect(k.events.find((e) => e.type === "access.granted")).toMatchObject({
      personId: "w2",
      secondFactor: "pin",
    });
    // One PIN, one entry; and another person's PIN is not this card's second factor.
    k.clock.advance(1000); // out of the re-read window of the grant
    expect(k.type("card:04A1B2C3")).toEqual(["access.denied:needs-second-factor"]);
    expect(k.type("246813")).toEqual(["access.denied:pin-only-refused"]);
    expect(k.type("card:04A1B2C3")).toEqual(["access.denied:needs-second-factor"]);
  });

  it("the PIN's window closes", async () => {
    const k = await station("pins: { secondFactorWindowMs: 5000 }");
    expect(k.type("135799")).toEqual(["access.denied:pin-only-refused"]);
    k.clock.advance(5000);
    expect(k.type("card:04A1B2C3")).toEqual(["access.denied:needs-second-factor"]);
  });

  it("with allowPinOnly an enrolled PIN of the minimum length grants; a shorter enrolled one is refused", async () => {
    const k = await station("pins: { allowPinOnly: true }");
    expect(k.type("246813")).toEqual(["access.granted:granted"]);
    expect(k.type("2468")).toEqual(["access.denied:pin-too-short"]);
  });

  it("the minimum is a setting; short guesses count towards the reader's lockout", async () => {
    const lower = await station("pins: { allowPinOnly: true, minLength: 4 }");
    expect(lower.type("2468")).toEqual(["access.granted:granted"]);
    const k = await station("pins: { allowPinOnly: true }\n  lockout: { threshold: 3 }");
    for (const guess of ["111", "222", "333"]) k.type(guess);
    expect(
      k.events.some((e) => e.type === "alarm.raised" && (e as { alarm?: string }).alarm === "lockout"),
    ).toBe(true);
  });
});
