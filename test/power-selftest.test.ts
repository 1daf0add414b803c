import { afterEach, describe, expect, it } from "vitest";
import type { CommissioningReport } from "../controller/control/selftest.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { bootPowerStation, resultOf } from "./support/power-station.ts";

/**
 * `selftest` on the simulated outlets and cabinet: each outlet's meter read and its relay switched
 * on and off (a plugged load proves the contact), a silenced meter failing its outlet, and each
 * cabinet slot read and — with a technician there — released, opened, shut and latched.
 */
describe("selftest: outlets and cabinet", () => {
  let b: BootedStation | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  async function selftest(attended: boolean, onProgress: (line: string) => void = () => {}) {
    const station = b as BootedStation;
    const reply = await station.station.router.runAs(
      { kind: "local", via: "cli" },
      "selftest",
      { attended },
      undefined,
      onProgress,
    );
    return (resultOf(reply).data as { report: CommissioningReport }).report;
  }
  const item = (r: CommissioningReport, id: string) => {
    const found = r.items.find((i) => i.id === id);
    if (!found) throw new Error(`no item ${id} in ${r.items.map((i) => i.id).join(", ")}`);
    return found;
  };

  it("unattended: every meter reads mains, every relay switches on and off, every slot reads shut", async () => {
    ({ booted: b } = await bootPowerStation());
    const events: string[] = [];
    b.station.bus.subscribe((e) => events.push(`${e.type}:${(e as { outlet?: string }).outlet ?? ""}`));
    const r = await selftest(false);
    for (const id of ["phone-1", "phone-2", "ebike-1", "ebike-2"]) {
      const i = item(r, `outlets.${id}`);
      expect(i.ok, `${id}: ${i.detail}`).toBe(true);
      expect(i.detail).toContain("230 V");
      expect(i.detail).toContain("contact was not proven");
      expect(events).toContain(`outlet.session-started:${id}`);
      expect(b.powerSim?.relays.get(id)?.read()).toBe(false);
    }
    for (let slot = 1; slot <= 6; slot++) {
      const i = item(r, `cabinet.slot.${slot}`);
      expect(i.ok, i.detail).toBe(true);
      expect(i.detail).toContain("not opened");
    }
    expect(b.powerSim?.cabinet?.read(1).doorLocked).toBe(true);
  }, 90_000);

  it("a silenced meter fails its outlet, with the fix; the others still pass", async () => {
    ({ booted: b } = await bootPowerStation());
    b.powerSim?.control.meterFault("phone-2", "silent");
    const r = await selftest(false);
    const bad = item(r, "outlets.phone-2");
    expect(bad.ok).toBe(false);
    expect(bad.hint).toContain("RS-485");
    expect(item(r, "outlets.phone-1").ok).toBe(true);
    expect(r.ok).toBe(false);
    expect(b.powerSim?.relays.get("phone-2")?.read()).toBe(false);
  }, 90_000);

  it("attended: a load plugged in when asked proves the relay; each slot opens, shuts and latches", async () => {
    ({ booted: b } = await bootPowerStation());
    const sim = b.powerSim;
    const r = await selftest(true, (line) => {
      const plug = /plug a lamp or a phone charger into outlet (\S+) now/.exec(line);
      if (plug?.[1]) sim?.control.plug(plug[1], "phone", 20);
      const slot = /slot (\d+) is released: open its door/.exec(line);
      if (slot?.[1]) {
        const n = Number(slot[1]);
        expect(sim?.cabinet?.open(n)).toBe(true);
        // shut a moment later, as a hand would
        setTimeout(() => sim?.cabinet?.close(n), 1500);
      }
    });
    for (const id of ["phone-1", "ebike-2"]) {
      const i = item(r, `outlets.${id}`);
      expect(i.ok, i.detail).toBe(true);
      expect(i.detail).toMatch(/on: \d+(\.\d+)? W through the relay/);
    }
    for (let slot = 1; slot <= 6; slot++) {
      const i = item(r, `cabinet.slot.${slot}`);
      expect(i.ok, i.detail).toBe(true);
      expect(i.detail).toContain("released, opened, shut and latched again");
      expect(sim?.cabinet?.read(slot).doorLocked).toBe(true);
    }
  }, 120_000);
});
