import { performance } from "node:perf_hooks";
import pino from "pino";
import { parseConfigText } from "../config/load.ts";
import { stationTimeZone } from "../config/station-time-zone.ts";
import { EventBus } from "../controller/events/event-bus.ts";
import { OccupancyService } from "../controller/occupancy/occupancy-service.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import { encodeReport, type RadarReport } from "../device/ld2410/codec.ts";
import { LD2410_DEFAULTS, Ld2410Radar } from "../device/ld2410/ld2410-radar.ts";
import { SerialPortLink } from "../device/serial/serialport-link.ts";
import { EmbeddedBroker } from "../scripts/embedded-broker.ts";
import { findExecutable } from "../scripts/executables.ts";
import { FIRMATA_BOARD_DEFAULTS, FirmataBoardPeer } from "../simulator/firmata/firmata-board.ts";
import { Ld2410Peer, RADAR_PEER_DEFAULTS } from "../simulator/ld2410/radar-peer.ts";
import { SocatPty } from "../simulator/serial/socat-pty.ts";
import {
  buildBundles,
  CLI,
  exercise,
  launch,
  nodeFloorMb,
  rssMb,
  stationDir,
  stop,
} from "./access-process.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";
import { SERVICE_ENV_TEXT, SERVICE_NODE_FLAGS } from "./service.ts";

const FRAME_PERIOD_MS = 100;
const quiet = pino({ level: "silent" });

const report = (present: boolean): RadarReport => ({
  engineering: false,
  target: present ? "moving" : "none",
  movingCm: present ? 180 : 0,
  movingEnergy: present ? 60 : 0,
  stillCm: 0,
  stillEnergy: 0,
  detectCm: present ? 180 : 0,
});

/**
 * `ld2410.frame_to_state`: a report frame written to the far end of a real pty (serialport on
 * both ends), through the driver's parser and the fusion machine, to the `occupancy.changed`
 * event. Each frame flips presence, so each one must change the figure.
 */
export async function benchFrameToState(socat: string, frames: number): Promise<BenchResult> {
  const clock = new SystemClock();
  const pty = new SocatPty(socat, "bench-radar");
  await pty.plug();
  const device = new SerialPortLink(pty.devicePath, 256000);
  // The simulated module answers the driver's configuration, then stays quiet: the bench writes the frames.
  const peer = new Ld2410Peer(device, clock, { ...RADAR_PEER_DEFAULTS, periodMs: 1e9 });
  await peer.start();
  const radar = new Ld2410Radar("radar", new SerialPortLink(pty.hostPath, 256000), clock, {
    ...LD2410_DEFAULTS,
    engineering: false,
    staleMs: 60_000,
  });
  const cfg = parseConfigText(`station: { id: bench }
hardware: { mode: simulated, gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } } }
door: { lockMode: fail-secure }
mqtt: { url: "mqtt://127.0.0.1:1" }
occupancy: { radar: { port: simulated } }
`);
  if (!cfg.ok || !cfg.config.occupancy) throw new Error("bench config");
  const bus = new EventBus("bench", "boot", clock, () => {});
  const service = new OccupancyService(
    cfg.config.occupancy,
    stationTimeZone(cfg.config),
    { radar, outputs: {} },
    bus,
    clock,
    quiet,
  );
  let changedAt = 0;
  bus.subscribe((e) => {
    if (e.type === "occupancy.changed") changedAt = performance.now();
  });
  await service.start();
  const samples: number[] = [];
  try {
    for (let i = 0; i < frames + 5; i++) {
      changedAt = 0;
      const before = performance.now();
      // From handing the frame's bytes to the pty (the write resolves once the last byte is in
      // the kernel; the far end may already have it by then).
      await device.write(encodeReport(report(i % 2 === 0)));
      const deadline = performance.now() + 1000;
      while (changedAt === 0 && performance.now() < deadline) await new Promise((r) => setImmediate(r));
      if (changedAt === 0) throw new Error("the figure did not change within 1 s");
      // The first frames warm the JIT and the pty; not counted.
      if (i >= 5) samples.push(changedAt - before);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await service.stop();
    await peer.stop();
    await pty.dispose();
  }
  samples.sort((a, b) => a - b);
  const p99 = percentile(samples, 99);
  return result({
    name: "ld2410.frame_to_state",
    metric: "p99_ms",
    value: round(p99, 3),
    unit: "ms",
    params: { frames, via: "socat pty + serialport", p50_ms: round(percentile(samples, 50), 3) },
    baseline: { name: "the module's frame period", value: FRAME_PERIOD_MS },
  });
}

/**
 * `station.rss`: the whole station process with n credentials and the radar, the I/O board, the
 * PIR and the beam pair configured. The radar and the board are on real ptys as real ports (their
 * simulated peers run in this bench process, not in the station's), so the figure is what a
 * station with that hardware carries: serialport, johnny-five and firmata-io included. The
 * baseline is the same station file without the occupancy section, measured in the same run.
 */
export async function benchStationRss(socat: string, n: number): Promise<BenchResult> {
  await buildBundles();
  const clock = new SystemClock();
  const broker = new EmbeddedBroker("127.0.0.1", 0, quiet);
  await broker.start();
  const radarPty = new SocatPty(socat, "rss-radar");
  const boardPty = new SocatPty(socat, "rss-board");
  await radarPty.plug();
  await boardPty.plug();
  const radarPeer = new Ld2410Peer(new SerialPortLink(radarPty.devicePath, 256000), clock);
  const boardPeer = new FirmataBoardPeer(
    new SerialPortLink(boardPty.devicePath, 57600),
    clock,
    FIRMATA_BOARD_DEFAULTS,
  );
  await radarPeer.start();
  await boardPeer.start();
  radarPeer.walkIn(200);
  const occupancy = `occupancy:
  radar: { port: ${radarPty.hostPath} }
  board: { port: ${boardPty.hostPath}, analog: { temperature: 0, smoke: 1 } }
  pir: { pin: 23 }
  beam: { outer: { pin: 24 }, inner: { pin: 25 } }
  outputs: { lights: { board: 8 }, ventilation: { board: 9 }, callLight: { board: 10 }, buzzer: { gpio: 20 } }`;
  const measure = async (occ: string, consoleOpened = false) => {
    const dir = await stationDir(n, broker.url, occ, consoleOpened);
    const args = [...SERVICE_NODE_FLAGS, CLI, "run", "--config", dir.config];
    // One unmeasured start warms the page cache, as on a station after its first boot.
    await stop((await launch(args)).proc);
    const l = await launch(args);
    // Let the radar stream and the board report for a while, then some door traffic.
    await new Promise((r) => setTimeout(r, 2000));
    await exercise(dir, 200);
    // A provisioned station with the console on, and a technician looking at its pages.
    if (consoleOpened) for (const page of ["/login", "/api/state"]) await fetch(`${dir.console}${page}`);
    const rss = rssMb(l.proc.pid ?? 0);
    await stop(l.proc);
    return rss;
  };
  try {
    const withOccupancy = await measure(occupancy);
    const without = await measure("");
    const opened = await measure(occupancy, true);
    const floor = await nodeFloorMb();
    return result(
      {
        name: "station.rss",
        metric: "rss_mb",
        value: round(withOccupancy, 1),
        unit: "MB",
        params: {
          credentials: n,
          devices: "LD2410 + Firmata board (ptys), PIR + beam (GPIO)",
          node: `${SERVICE_NODE_FLAGS.join(" ")} ${SERVICE_ENV_TEXT}`,
          console: "off, as on a real station until provisioned",
          with_console_opened_mb: round(opened, 1),
          node_and_one_worker_mb: round(floor, 1),
        },
        baseline: { name: "the same station without occupancy", value: round(without, 1) },
      },
      { budget: 80 },
    );
  } finally {
    await radarPeer.stop();
    await boardPeer.stop();
    await radarPty.dispose();
    await boardPty.dispose();
    await broker.stop();
  }
}

export async function benchOccupancy(n: number, quick: boolean): Promise<BenchResult[] | string> {
  const socat = findExecutable("socat");
  if (!socat) return "occupancy benches skipped: socat missing (sudo apt-get install -y socat)";
  return [await benchFrameToState(socat, quick ? 100 : 500), await benchStationRss(socat, n)];
}
