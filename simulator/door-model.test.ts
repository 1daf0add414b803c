import pino from "pino";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { DoorModel, type LockKind } from "./door-model.ts";
import { SimInputLine, SimOutputLine } from "./gpio-lines.ts";

function setup(lockKind: LockKind) {
  const clock = new ManualClock();
  const relay = new SimOutputLine("lockRelay");
  const contact = new SimInputLine("doorContact", false, clock);
  const door = new DoorModel(
    relay,
    contact,
    clock,
    { lockKind, swingShutMs: 1000 },
    pino({ level: "silent" }),
  );
  door.start();
  return { clock, relay, contact, door };
}

describe("simulated door", () => {
  it.each([
    { lockKind: "fail-secure" as const, energised: false, engaged: true },
    { lockKind: "fail-secure" as const, energised: true, engaged: false },
    { lockKind: "fail-safe" as const, energised: false, engaged: false },
    { lockKind: "fail-safe" as const, energised: true, engaged: true },
  ])("$lockKind with the relay energised=$energised holds: $engaged", ({ lockKind, energised, engaged }) => {
    const { relay, door } = setup(lockKind);
    relay.write(energised);
    expect(door.physics().lockEngaged).toBe(engaged);
    expect(door.push()).toBe(!engaged);
  });

  it("opens on a push when released, breaks the contact, and the closer shuts it", () => {
    const { clock, relay, contact, door } = setup("fail-secure");
    expect(contact.read()).toBe(true);
    relay.write(true);
    expect(door.push()).toBe(true);
    expect(contact.read()).toBe(false);
    clock.advance(999);
    expect(door.physics().open).toBe(true);
    clock.advance(1);
    expect(door.physics().open).toBe(false);
    expect(contact.read()).toBe(true);
  });

  it("stays open while held, and shuts after being let go", () => {
    const { clock, relay, door } = setup("fail-secure");
    relay.write(true);
    expect(door.hold()).toBe(true);
    relay.write(false);
    clock.advance(60_000);
    expect(door.physics().open).toBe(true);
    door.release();
    clock.advance(1000);
    expect(door.physics().open).toBe(false);
  });

  it("can be forced open against an engaged lock", () => {
    const { door } = setup("fail-secure");
    door.force();
    expect(door.physics()).toMatchObject({ open: true, lockEngaged: true });
  });
});
