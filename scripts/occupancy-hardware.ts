import type { Logger } from "pino";
import type { StationConfig } from "../config/schema.ts";
import type { OccupancyConfig } from "../config/sections/occupancy.ts";
import type { ConsoleExtension } from "../controller/console/http-route.ts";
import { BeamCounter } from "../device/beam/beam-counter.ts";
import { DebouncedInput } from "../device/gpio/debounce.ts";
import type { BoardHandle, OccupancyHardware } from "../device/hardware.ts";
import { LD2410_DEFAULTS, Ld2410Radar } from "../device/ld2410/ld2410-radar.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { GpioInput, GpioOutput } from "../device/ports/gpio.ts";
import type { PresenceRadar } from "../device/ports/presence-radar.ts";
import { realGpio } from "../device/real-hardware.ts";
import { SerialPortLink } from "../device/serial/serialport-link.ts";
import type { FirmataBoardPeer } from "../simulator/firmata/firmata-board.ts";
import { SimOutputLine } from "../simulator/gpio-lines.ts";
import { Ld2410Peer, RADAR_PEER_DEFAULTS } from "../simulator/ld2410/radar-peer.ts";
import { SimDoorway } from "../simulator/occupancy/doorway-sim.ts";
import { occupancySimPanel, occupancySimRoutes } from "../simulator/occupancy/occupancy-http.ts";
import { OccupancySim } from "../simulator/occupancy/occupancy-sim.ts";
import { openSimSerialWire, type SimSerialWire } from "../simulator/serial/sim-serial.ts";
import { buildBoard } from "./board.ts";
import { findExecutable } from "./executables.ts";

export interface BuiltOccupancy {
  hardware: OccupancyHardware;
  /** the simulated people and devices, when any part is simulated */
  sim: OccupancySim | undefined;
  /** the console's "people inside" panel and its routes, when anything is simulated */
  consoleExtension: ConsoleExtension | undefined;
  /** each serial device and how it is reached, for the banner */
  paths: { id: string; how: string }[];
  /** simulated peers start before the station (they are the far end of the wire) */
  startPeers(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The occupancy sensors and loads for the station file: GPIO lines follow `hardware.mode`; each
 * serial device (radar, I/O board) is real or simulated on its own (`port: simulated`).
 * serialport and johnny-five are imported only when a device that needs them is configured.
 */
export async function buildOccupancy(
  config: StationConfig,
  deps: { clock: Clock; logger: Logger; socat?: string | undefined },
): Promise<BuiltOccupancy | undefined> {
  const cfg = config.occupancy;
  if (!cfg) return undefined;
  const { clock, logger } = deps;
  const socat = deps.socat ?? findExecutable("socat");
  const simulatedGpio = config.hardware.mode === "simulated";
  const gpio = simulatedGpio ? undefined : realGpio(config, clock);
  const doorway = simulatedGpio && (cfg.pir || cfg.beam) ? new SimDoorway(clock) : undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const peers: { start(): Promise<void> }[] = [];
  const paths: { id: string; how: string }[] = [];

  const input = (
    name: string,
    c: { pin: number; activeLow: boolean; debounceMs: number },
    sim: GpioInput | undefined,
  ) => (gpio ? gpio.input(name, c) : new DebouncedInput(sim as GpioInput, c.debounceMs, clock));

  let radar: PresenceRadar | undefined;
  let radarPeer: Ld2410Peer | undefined;
  let radarWire: SimSerialWire | undefined;
  if (cfg.radar) {
    const r = cfg.radar;
    const opts = {
      ...LD2410_DEFAULTS,
      staleMs: r.staleMs,
      latchMs: r.latchMin * 60_000,
      engineering: r.engineering,
      maxGate: r.maxGate,
      noOneS: r.noOneS,
    };
    if (r.port === "simulated") {
      radarWire = await openSimSerialWire("radar", r.baudRate, socat);
      const wire = radarWire;
      radarPeer = new Ld2410Peer(
        wire.device,
        clock,
        RADAR_PEER_DEFAULTS,
        logger.child({ module: "simulator" }),
      );
      const peer = radarPeer;
      peers.push(peer);
      cleanups.push(
        () => peer.stop(),
        () => wire.dispose(),
      );
      radar = new Ld2410Radar("radar", wire.host, clock, opts);
      paths.push({ id: "radar", how: `simulated LD2410 over ${wire.how}` });
    } else {
      radar = new Ld2410Radar("radar", new SerialPortLink(r.port, r.baudRate), clock, opts);
      paths.push({ id: "radar", how: `LD2410 on ${r.port}` });
    }
  }

  let board: BoardHandle | undefined;
  let boardPeer: FirmataBoardPeer | undefined;
  if (cfg.board) {
    const built = await buildBoard(cfg.board, { clock, logger, socat });
    board = built.handle;
    boardPeer = built.peer;
    if (built.peer) peers.push(built.peer);
    cleanups.push(built.stop);
    paths.push({ id: "board", how: built.how });
  }

  const outputs: OccupancyHardware["outputs"] = {};
  for (const [name, ref] of Object.entries(cfg.outputs) as [keyof OccupancyConfig["outputs"], unknown][]) {
    const o = outputFor(name, ref as OutputRef, { gpio, board });
    if (o) outputs[name] = o;
  }

  const hardware: OccupancyHardware = {
    radar,
    pir: cfg.pir ? input("pir", cfg.pir, doorway?.pir) : undefined,
    beam: cfg.beam
      ? new BeamCounter(
          input("beamOuter", cfg.beam.outer, doorway?.outer),
          input("beamInner", cfg.beam.inner, doorway?.inner),
          clock,
          { passageTimeoutMs: cfg.beam.passageTimeoutMs, blockedMs: cfg.beam.blockedMs },
        )
      : undefined,
    board,
    outputs,
  };
  const sim =
    doorway || radarPeer || boardPeer
      ? new OccupancySim(doorway, radarPeer, radarWire, boardPeer)
      : undefined;
  return {
    hardware,
    sim,
    consoleExtension: sim
      ? { route: occupancySimRoutes(sim), panel: occupancySimPanel(), open: true }
      : undefined,
    paths,
    async startPeers() {
      for (const p of peers) await p.start();
    },
    async stop() {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
}

type OutputRef = { board: number } | { gpio: number; activeLow: boolean } | undefined;

function outputFor(
  name: string,
  ref: OutputRef,
  deps: { gpio: ReturnType<typeof realGpio> | undefined; board: BoardHandle | undefined },
): GpioOutput | undefined {
  if (!ref) return undefined;
  if ("board" in ref) {
    const board = deps.board?.board;
    if (!board) return undefined;
    const pin = ref.board;
    let level = false;
    return {
      name,
      start: async () => board.pinMode(pin, "output"),
      stop: async () => undefined,
      write(active) {
        level = active;
        board.digitalWrite(pin, active);
      },
      read: () => level,
    };
  }
  return deps.gpio
    ? deps.gpio.output(name, { pin: ref.gpio, activeLow: ref.activeLow })
    : new SimOutputLine(name);
}
