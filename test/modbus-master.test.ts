import { afterEach, describe, expect, it } from "vitest";
import { isStationError, type StationError } from "../config/errors.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import { BusScheduler } from "../device/modbus/bus-scheduler.ts";
import { decodePzem, pzemReadRequest } from "../device/modbus/pzem.ts";
import { RtuMaster } from "../device/modbus/rtu-master.ts";
import { MemoryLink } from "../device/serial/memory-link.ts";
import { SimRtuBus } from "../simulator/modbus/rtu-slave-bus.ts";
import { SimPzemMeter } from "../simulator/power/pzem-meter.ts";
import { waitFor } from "./support/wait.ts";

const clock = new SystemClock();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function rig(opts: { retries?: number; offlineAfter?: number } = {}) {
  const [masterEnd, slaveEnd] = MemoryLink.pair("rs485");
  const bus = new SimRtuBus(slaveEnd, clock, { baud: 9600, turnaroundMs: 0, pace: false });
  const meters = [1, 2, 3].map((unit) => {
    const m = new SimPzemMeter(unit, clock, () => true);
    bus.attach(m);
    m.plug("ebike", 10);
    return m;
  });
  const master = new RtuMaster(masterEnd, clock, {
    baud: 9600,
    timeoutMs: 30,
    retries: opts.retries ?? 1,
    offlineAfter: opts.offlineAfter ?? 2,
    reopenMs: 20,
  });
  await bus.start();
  await master.start();
  stops.push(
    () => master.stop(),
    () => bus.stop(),
  );
  return { master, bus, meters, masterEnd, slaveEnd };
}

async function failure(p: Promise<unknown>): Promise<StationError> {
  try {
    await p;
  } catch (err) {
    if (isStationError(err)) return err;
    throw err;
  }
  throw new Error("expected a failure");
}

describe("RTU master against simulated PZEM meters", () => {
  it("reads a meter's registers and decodes them", async () => {
    const { master } = await rig();
    const res = await master.request(pzemReadRequest(2));
    expect(res.fn).toBe(0x04);
    const r = decodePzem((res as { values: Uint16Array }).values);
    expect(r.voltageV).toBe(230);
    expect(r.powerW).toBe(180);
    expect(r.currentA).toBeCloseTo(180 / (230 * 0.95), 2);
    expect(master.device(2)).toMatchObject({ requests: 1, ok: 1, online: true });
  });

  it("a silent meter times out on every attempt, is counted, goes offline and comes back", async () => {
    const { master, meters } = await rig({ retries: 1, offlineAfter: 2 });
    const changes: { unit: number; online: boolean }[] = [];
    master.onDevice((c) => changes.push(c));
    (meters[0] as SimPzemMeter).fault = "silent";
    expect((await failure(master.request(pzemReadRequest(1)))).code).toBe("MODBUS_TIMEOUT");
    expect(master.device(1)).toMatchObject({ timeouts: 2, retries: 1, online: true });
    await failure(master.request(pzemReadRequest(1)));
    expect(master.device(1).online).toBe(false);
    expect(changes).toEqual([{ unit: 1, online: false, detail: "MODBUS_TIMEOUT" }]);
    // the others were never affected
    await master.request(pzemReadRequest(3));
    expect(master.device(3).timeouts).toBe(0);
    (meters[0] as SimPzemMeter).fault = "none";
    await master.request(pzemReadRequest(1));
    expect(changes.at(-1)).toEqual({ unit: 1, online: true });
  });

  it("CRC noise is counted per device and retried; an exception is counted and not retried", async () => {
    const { master, meters } = await rig({ retries: 2 });
    (meters[1] as SimPzemMeter).fault = "crc-noise";
    expect((await failure(master.request(pzemReadRequest(2)))).code).toBe("MODBUS_CRC");
    expect(master.device(2)).toMatchObject({ crcErrors: 3, retries: 2 });
    const ex = await failure(master.request({ fn: 0x04, unit: 3, address: 8, count: 5 }));
    expect(ex.code).toBe("MODBUS_EXCEPTION");
    expect(ex.details.exceptionCode).toBe(2);
    expect(master.device(3)).toMatchObject({ exceptions: 1, retries: 0, online: true });
  });

  it("an unplugged line fails fast and is reopened by itself", async () => {
    const { master, masterEnd } = await rig();
    const links: boolean[] = [];
    master.onLink((c) => links.push(c.up));
    masterEnd.unplug();
    expect((await failure(master.request(pzemReadRequest(1)))).code).toBe("MODBUS_LINK_DOWN");
    masterEnd.plug();
    await waitFor(() => master.linkUp, "the line reopened");
    expect((await master.request(pzemReadRequest(1))).fn).toBe(0x04);
    expect(links).toEqual([false, true]);
    expect(master.linkErrors).toBe(1);
  });
});

describe("bus scheduler", () => {
  it("runs safety reads first, then meters, then the rest; a one-off goes before the rest", async () => {
    const { master } = await rig();
    const order: string[] = [];
    const sched = new BusScheduler(master, clock, { minCycleMs: 0 });
    const job = (id: string, priority: "safety" | "meter" | "other", unit: number) =>
      sched.add({ id, priority, request: pzemReadRequest(unit), onResult: () => order.push(id) });
    job("rest", "other", 3);
    job("m1", "meter", 1);
    job("m2", "meter", 2);
    job("safe", "safety", 3);
    let cycles = 0;
    let oneOffDone = false;
    sched.onCycle(() => {
      cycles++;
      if (cycles === 1) {
        order.push("|");
        void sched.submit("meter", { fn: 0x06, unit: 1, address: 1, value: 500 }).then(() => {
          oneOffDone = true;
        });
      }
    });
    sched.start();
    stops.push(() => sched.stop());
    await waitFor(() => cycles >= 2, "two cycles");
    await sched.stop();
    expect(order.slice(0, 9)).toEqual(["safe", "m1", "m2", "rest", "|", "safe", "m1", "m2", "rest"]);
    expect(oneOffDone).toBe(true);
    expect(master.device(1).requests).toBeGreaterThanOrEqual(3);
  });

  it("repeats the safety reads at even intervals when asked to", async () => {
    const { master } = await rig();
    const order: string[] = [];
    const sched = new BusScheduler(master, clock, { minCycleMs: 0, safetyReadsPerCycle: 2 });
    sched.add({
      id: "safe",
      priority: "safety",
      request: pzemReadRequest(3),
      onResult: () => order.push("safe"),
    });
    for (const id of ["m1", "m2", "m3", "m4"])
      sched.add({ id, priority: "meter", request: pzemReadRequest(1), onResult: () => order.push(id) });
    let cycles = 0;
    sched.onCycle(() => {
      cycles++;
    });
    sched.start();
    stops.push(() => sched.stop());
    await waitFor(() => cycles >= 1, "a cycle");
    await sched.stop();
    expect(order.slice(0, 6)).toEqual(["safe", "m1", "m2", "safe", "m3", "m4"]);
  });

  it("hands a failed read to its job as a typed error, and asks an offline device without retries", async () => {
    const { master, meters } = await rig({ retries: 2, offlineAfter: 1 });
    (meters[0] as SimPzemMeter).fault = "silent";
    const results: string[] = [];
    const sched = new BusScheduler(master, clock, { minCycleMs: 0 });
    sched.add({
      id: "m1",
      priority: "meter",
      request: pzemReadRequest(1),
      onResult: (r) => results.push(isStationError(r) ? r.code : "ok"),
    });
    sched.start();
    stops.push(() => sched.stop());
    await waitFor(() => results.length >= 3, "three reads");
    await sched.stop();
    expect(results.slice(0, 3)).toEqual(["MODBUS_TIMEOUT", "MODBUS_TIMEOUT", "MODBUS_TIMEOUT"]);
    // first read: 1 + 2 retries; later reads while offline: one attempt each
    expect(master.device(1).retries).toBe(2);
  });
});
