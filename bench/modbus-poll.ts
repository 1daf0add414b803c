import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { parseConfigText } from "../config/load.ts";
import { cabinetMapSchema, DEFAULT_CABINET_MAP } from "../config/sections/cabinet.ts";
import { slotRequests, statusRequest } from "../device/cabinet/cabinet-map.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import type { CycleReport } from "../device/modbus/bus-scheduler.ts";
import { pzemReadRequest } from "../device/modbus/pzem.ts";
import { charMs, frameSizes, interFrameMs, type ModbusRequest } from "../device/modbus/rtu-codec.ts";
import { SerialLink } from "../device/serial/serial-link.ts";
import { bootStation } from "../scripts/boot.ts";
import { PtyPair } from "../scripts/socat-pty.ts";
import { SimCabinet } from "../simulator/cabinet/sim-cabinet.ts";
import { SimRtuBus } from "../simulator/modbus/rtu-slave-bus.ts";
import { SimPzemMeter } from "../simulator/power/pzem-meter.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

const BAUD = 9600;
const METERS = 16;
const SLOTS = 12;
const CABINET = 20;

/** The wire-time lower bound of one cycle: every frame's characters and the silences RTU demands. */
export function wireBoundMs(requests: readonly ModbusRequest[], baud: number): number {
  let ms = 0;
  for (const r of requests) {
    const s = frameSizes(r);
    ms += (s.request + s.response) * charMs(baud) + 2 * interFrameMs(baud);
  }
  return ms;
}

function stationYaml(dir: string, path: string): string {
  const outlets = Array.from(
    { length: METERS },
    (_, i) =>
      `    - { id: o${i + 1}, kind: ${i < 8 ? "phone" : "ebike"}, bus: rs485, meterAddress: ${i + 1}, relay: { pin: 5 } }`,
  ).join("\n");
  return `station: { id: bench-power }
dataDir: ${dir}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
  readers: [{ id: entry, kind: simulated }]
door: { lockMode: fail-secure, fire: { revert: on-input-clear } }
mqtt: { url: "mqtt://127.0.0.1:9" }
console: { enabled: false }
log: { level: silent }
modbus:
  - { id: rs485, kind: real, path: ${path}, baud: ${BAUD}, timeoutMs: 100, retries: 1 }
outlets:
  binding: credential
  fairUse: { maxConcurrent: 1, maxDailyWh: 100000 }
  list:
${outlets}
cabinet: { bus: rs485, address: ${CABINET}, slots: ${SLOTS} }
safety: {}
`;
}

/**
 * `modbus.poll_cycle` and `safety.cut_latency` on one rig: the station's own Modbus master over
 * the real serialport bindings on a socat pty, 16 simulated PZEM meters and a 12-slot cabinet on
 * the other end pacing their bytes at 9600 baud; the whole controller (outlets, cabinet, safety
 * coordinator, door) on top.
 */
export async function benchModbus(quick: boolean): Promise<BenchResult[] | string> {
  if (!PtyPair.available()) return "modbus: skipped (socat missing: sudo apt-get install -y socat)";
  const clock = new SystemClock();
  const pty = new PtyPair();
  await pty.start();
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-modbus-"));
  const slaveBus = new SimRtuBus(new SerialLink({ path: pty.b, baudRate: BAUD }), clock, {
    baud: BAUD,
    turnaroundMs: 2,
    pace: true,
  });
  const map = cabinetMapSchema.parse(DEFAULT_CABINET_MAP);
  for (let u = 1; u <= METERS; u++) {
    const m = new SimPzemMeter(u, clock, () => true);
    m.plug(u <= 8 ? "phone" : "ebike", 30);
    slaveBus.attach(m);
  }
  const cabinet = new SimCabinet(CABINET, map, SLOTS, clock);
  slaveBus.attach(cabinet);
  await slaveBus.start();
  const parsed = parseConfigText(stationYaml(dir, pty.a));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const booted = await bootStation({
    config: parsed.config,
    logger: pino({ level: "silent" }),
    secrets: { credentialKey: "ab".repeat(32) },
  });
  try {
    const station = booted.station;
    const sched = station.ports.modbus?.scheduler("rs485");
    if (!sched) throw new Error("no scheduler");
    const cycles: CycleReport[] = [];
    const off = sched.onCycle((c) => cycles.push(c));
    const want = quick ? 6 : 15;
    while (cycles.length < want + 2) await new Promise((r) => setTimeout(r, 50));
    off();
    const measured = cycles
      .slice(2)
      .map((c) => c.durationMs)
      .sort((a, b) => a - b);
    const requests: ModbusRequest[] = [
      // the alarm register is read twice per cycle (safetyReadsPerCycle: 2), so twice in the bound
      statusRequest(CABINET, map),
      statusRequest(CABINET, map),
      ...Array.from({ length: METERS }, (_, i) => pzemReadRequest(i + 1)),
      ...slotRequests(CABINET, SLOTS, map).map((r) => r.req),
    ];
    const bound = wireBoundMs(requests, BAUD);
    const cycleMs = percentile(measured, 50);
    const out: BenchResult[] = [
      result(
        {
          name: "modbus.poll_cycle",
          metric: "p50",
          value: round(cycleMs, 1),
          unit: "ms",
          params: {
            meters: METERS,
            cabinetSlots: SLOTS,
            baud: BAUD,
            transactions: requests.length,
            cycles: measured.length,
            max: round(measured.at(-1) ?? 0, 1),
            link: "serialport on a socat pty",
          },
          baseline: {
            name: "wire-time lower bound (frames + 2×3.5 chars per transaction)",
            value: round(bound, 1),
          },
        },
        { budget: round(1.2 * bound, 1) },
      ),
    ];

    // Every outlet charging for someone; then a thermal runaway in a slot, at a random phase.
    const run = (name: string, args: unknown) => station.router.runLocal(name, args, "cli");
    const relays = [...(booted.powerSim?.relays.values() ?? [])];
    const latencies: number[] = [];
    const trials = quick ? 4 : 10;
    for (let t = 0; t < trials; t++) {
      // (a meter that missed a read on this loaded machine refuses a start until its next read)
      for (let tries = 0; relays.some((r) => !r.read()); tries++) {
        if (tries > 20) throw new Error(`trial ${t}: the outlets did not all start`);
        for (let i = 1; i <= METERS; i++)
          if (!relays[i - 1]?.read())
            await run("outlet", {
              outlet: `o${i}`,
              action: "start",
              credential: i.toString(16).padStart(64, "0"),
            });
        if (relays.some((r) => !r.read())) await new Promise((r) => setTimeout(r, cycleMs / 2));
      }
      await new Promise((r) => setTimeout(r, Math.random() * cycleMs));
      let cut: number | undefined;
      let ok = false;
      const unsub = station.bus.subscribe((e) => {
        if (e.type !== "safety.alarm" || cut !== undefined) return;
        cut = performance.now();
        ok = relays.every((r) => !r.read()) && station.state().door.lock === "unlocked";
      });
      const t0 = performance.now();
      cabinet.thermalRunaway(3);
      while (cut === undefined) await new Promise((r) => setTimeout(r, 1));
      unsub();
      if (!ok) throw new Error("at the alarm an outlet was still on or the door locked");
      latencies.push(cut - t0);
      // cool the slot, let the alarm clear, reset as a technician would
      const s = cabinet.slot(3);
      s.runaway = false;
      s.view = { ...s.view, tempC: 26 };
      while (station.state().safety?.active.length) await new Promise((r) => setTimeout(r, 20));
      await run("safety-reset", {});
    }
    latencies.sort((a, b) => a - b);
    out.push(
      result(
        {
          name: "safety.cut_latency",
          metric: "max",
          value: round(latencies.at(-1) ?? 0, 1),
          unit: "ms",
          params: {
            trials,
            p50: round(percentile(latencies, 50), 1),
            outlets: METERS,
            path: "thermal bit → every relay off, door released, safety.alarm",
          },
          baseline: { name: "one poll cycle (p50, same run)", value: round(cycleMs, 1) },
        },
        // "within one poll cycle"; with two safety reads per cycle the wait is about half of one
        { budget: round(cycleMs, 1) },
      ),
    );
    return out;
  } finally {
    await booted.stop();
    await slaveBus.stop();
    await pty.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
