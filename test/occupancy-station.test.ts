import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { bootOccupancyStation, OCC_CARD_A, OCC_CARD_B } from "./support/occupancy-station.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The occupancy subsystem inside a whole simulated station: the radar over a real pty (or an
 * in-process stream without socat), the beam pair and PIR on simulated GPIO. People tap, push
 * the door and walk in; the figure in `state`, the tailgate event and the capacity refusal are
 * what the station's users see.
 */
const CARD_A = OCC_CARD_A;
const CARD_B = OCC_CARD_B;
const boot = (occupancyYaml: string, readers?: string) =>
  bootOccupancyStation(occupancyYaml, readers ? { readers } : {});

describe("occupancy in the station", () => {
  let booted: BootedStation;
  const events: StationEvent[] = [];

  beforeAll(async () => {
    booted = await boot(`  radar: { port: simulated }
  pir: { pin: 23, debounceMs: 10 }
  beam: { outer: { pin: 24, debounceMs: 10 }, inner: { pin: 25, debounceMs: 10 } }
  board: { port: simulated, analog: { temperature: 0 } }
  outputs: { lights: { board: 8 }, ventilation: { gpio: 16 }, callLight: { gpio: 20 } }`);
    booted.station.bus.subscribe((e) => events.push(e));
  });

  afterAll(async () => {
    await booted?.stop();
  });

  const occupancy = () => booted.station.state().occupancy;
  const types = () => events.map((e) => e.type);

  it("is a subsystem with a state slice; the radar is reached over the wire the banner names", async () => {
    expect(booted.station.subsystems.map((s) => s.name)).toEqual(["entrance", "occupancy"]);
    expect(booted.devicePaths.map((p) => p.id)).toEqual(["radar", "board"]);
    await waitFor(() => occupancy()?.sensors.radar?.health === "good", "radar good", 10_000);
    expect(occupancy()).toMatchObject({ count: 0, present: false, sensors: { beam: { health: "good" } } });
  });

  it("the I/O board: ready, its analog input in state, the lights relay on it switched on at boot", async () => {
    const board = booted.occupancySim?.board;
    if (!board) throw new Error("no simulated board");
    await waitFor(() => occupancy()?.sensors.board?.health === "good", "board good", 10_000);
    board.analog[0] = 480;
    await waitFor(() => occupancy()?.analog.temperature === 480, "temperature in state", 10_000);
    await waitFor(() => board.pins[8], "lights relay on", 10_000);
  });

  it("one card, two people through the beam: door.tailgate, and the count is 2", async () => {
    const sim = booted.sim;
    const occ = booted.occupancySim;
    if (!sim || !occ) throw new Error("no simulator");
    sim.control.tap(CARD_A);
    await waitFor(() => !sim.door.physics().lockEngaged, "unlocked");
    expect(sim.control.pushDoor()).toBe(true);
    occ.walkIn(2);
    await waitFor(() => types().includes("door.tailgate"), "a tailgate event", 10_000);
    const tailgate = events.find((e) => e.type === "door.tailgate");
    expect(tailgate).toMatchObject({ grants: 1, entered: 2 });
    await waitFor(() => occupancy()?.count === 2, "count 2", 10_000);
    expect(occupancy()).toMatchObject({ present: true, confidence: "high" });
    expect(occupancy()?.sources).toEqual(expect.arrayContaining(["beam", "radar"]));
    expect(occupancy()?.outputs).toMatchObject({ lights: true, ventilation: true });
  });

  it("full (capacity 2): the next worker is refused for capacity", async () => {
    const sim = booted.sim;
    if (!sim) throw new Error("no simulator");
    await waitFor(() => !sim.door.physics().open, "door shut", 10_000);
    const before = events.length;
    sim.control.tap(CARD_B);
    await waitFor(() => events.slice(before).find((e) => e.type === "access.denied"), "a refusal");
    expect(events.slice(before).find((e) => e.type === "access.denied")).toMatchObject({
      reason: "capacity",
    });
  });

  it("walking out brings the count down and frees a place", async () => {
    const occ = booted.occupancySim;
    const sim = booted.sim;
    if (!occ || !sim) throw new Error("no simulator");
    sim.control.pressExitButton();
    await waitFor(() => !sim.door.physics().lockEngaged, "unlocked for exit");
    sim.control.pushDoor();
    occ.walkOut(1);
    await waitFor(() => occupancy()?.count === 1, "count 1", 10_000);
    const before = events.length;
    await waitFor(() => !sim.door.physics().open, "door shut", 10_000);
    sim.control.tap(CARD_B);
    await waitFor(() => events.slice(before).find((e) => e.type.startsWith("access.")), "a decision");
    expect(events.slice(before).find((e) => e.type.startsWith("access."))?.type).toBe("access.granted");
  });

  it("the radar unplugged: its health is offline in state, with a sensor-fault alarm", async () => {
    const occ = booted.occupancySim;
    if (!occ) throw new Error("no simulator");
    await occ.unplugRadar();
    await waitFor(() => occupancy()?.sensors.radar?.health === "offline", "radar offline", 10_000);
    expect(booted.station.state().alarms).toEqual(
      expect.arrayContaining([expect.objectContaining({ alarm: "sensor-fault", source: "radar" })]),
    );
    await occ.replugRadar();
    await waitFor(() => occupancy()?.sensors.radar?.health === "good", "radar good again", 15_000);
    await waitFor(
      () => !booted.station.state().alarms.some((a) => a.alarm === "sensor-fault"),
      "the sensor-fault alarm cleared",
    );
  });
});

describe("anti-passback by direction with an exit reader", () => {
  let booted: BootedStation;
  const events: StationEvent[] = [];
  beforeAll(async () => {
    booted = await boot(
      `  beam: { outer: { pin: 24, debounceMs: 10 }, inner: { pin: 25, debounceMs: 10 } }
  exitReaders: [exit]
  antiPassbackByDirection: true`,
      "[{ id: entry, kind: simulated }, { id: exit, kind: simulated }]",
    );
    booted.station.bus.subscribe((e) => events.push(e));
  });
  afterAll(async () => {
    await booted?.stop();
  });

  async function tap(readerId: string): Promise<string> {
    const before = events.length;
    booted.sim?.control.tap(CARD_A, readerId);
    const e = await waitFor(
      () => events.slice(before).find((x) => x.type.startsWith("access.")),
      "a decision",
    );
    return e.type === "access.denied" ? `denied:${e.reason}` : "granted";
  }

  it("in, refused in again, out, in again", async () => {
    expect(await tap("entry")).toBe("granted");
    expect(await tap("entry")).toBe("denied:passback");
    expect(await tap("exit")).toBe("granted");
    expect(await tap("entry")).toBe("granted");
  });
});
