import pino from "pino";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../config/load.ts";
import { stationTimeZone } from "../../config/station-time-zone.ts";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import type { GpioEdge, GpioInput, GpioOutput } from "../../device/ports/gpio.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { StationEvent } from "../contract/events.ts";
import { EventBus } from "../events/event-bus.ts";
import { OccupancyService } from "./occupancy-service.ts";

/** The runner over a PIR and outputs on a manual clock: what the fusion's effects become. */
class Line implements GpioInput {
  readonly edges = new Listeners<GpioEdge>();
  level = false;
  constructor(
    readonly name: string,
    private readonly clock: ManualClock,
  ) {}
  async start() {}
  async stop() {}
  read() {
    return this.level;
  }
  onEdge(l: (e: GpioEdge) => void) {
    return this.edges.add(l);
  }
  set(active: boolean) {
    this.level = active;
    this.edges.emit({ active, atMs: this.clock.monotonic() });
  }
}
class Out implements GpioOutput {
  level = false;
  constructor(readonly name: string) {}
  async start() {}
  async stop() {}
  write(a: boolean) {
    this.level = a;
  }
  read() {
    return this.level;
  }
}

async function rig() {
  // 23:00 in Shanghai: inside the default welfare window.
  const clock = new ManualClock(Date.parse("2026-03-02T15:00:00Z"));
  const r = parseConfigText(`station: { id: t }
hardware: { mode: simulated, gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } } }
door: { lockMode: fail-secure }
mqtt: { url: "mqtt://127.0.0.1:1" }
occupancy: { pir: { pin: 23 }, outputs: { lights: { gpio: 12 }, callLight: { gpio: 20 } } }
`);
  if (!r.ok || !r.config.occupancy) throw new Error("config");
  const bus = new EventBus("t", "b", clock, (e) => {
    throw e;
  });
  const events: StationEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const pir = new Line("pir", clock);
  const lights = new Out("lights");
  const callLight = new Out("callLight");
  const svc = new OccupancyService(
    r.config.occupancy,
    stationTimeZone(r.config),
    { pir, outputs: { lights, callLight } },
    bus,
    clock,
    pino({ level: "silent" }),
  );
  await svc.start();
  return { clock, bus, events, pir, lights, callLight, svc };
}

const MIN = 60_000;

describe("occupancy runner", () => {
  it("someone comes in on a grant and stops moving at night: welfare alert, call light; a technician clears it", async () => {
    const { clock, bus, events, pir, callLight, svc } = await rig();
    bus.emit("access.granted", {
      readerId: "entry",
      credential: "a".repeat(64),
      format: "uid-4",
      personId: "p",
      role: "worker",
      reason: "granted",
      secondFactor: "none",
    });
    pir.set(true);
    clock.advance(3000);
    pir.set(false);
    expect(svc.snapshot()).toMatchObject({ count: 1, present: true });
    clock.advance(44 * MIN);
    expect(events.some((e) => e.type === "occupancy.welfare-alert")).toBe(false);
    clock.advance(2 * MIN);
    expect(events.find((e) => e.type === "occupancy.welfare-alert")).toMatchObject({
      priority: "critical",
      count: 1,
    });
    expect(events.find((e) => e.type === "alarm.raised")).toMatchObject({ alarm: "welfare" });
    expect(callLight.level).toBe(true);
    expect(svc.snapshot().welfare.active).toBe(true);
    expect(svc.clearWelfare()).toBe(true);
    expect(callLight.level).toBe(false);
    expect(events.filter((e) => e.type === "alarm.cleared").at(-1)).toMatchObject({ alarm: "welfare" });
    expect(events.find((e) => e.type === "occupancy.welfare-cleared")).toMatchObject({ by: "technician" });
  });

  it("lights on at boot, off after 10 min with nobody present, on again at the next entry", async () => {
    const { clock, lights, pir } = await rig();
    expect(lights.level).toBe(true);
    clock.advance(11 * MIN);
    expect(lights.level).toBe(false);
    pir.set(true);
    expect(lights.level).toBe(true);
  });

  it("fail-safe on process death: lights on even in an empty station", async () => {
    const { clock, lights, svc } = await rig();
    clock.advance(11 * MIN);
    expect(lights.level).toBe(false);
    svc.failSafe();
    expect(lights.level).toBe(true);
  });
});
