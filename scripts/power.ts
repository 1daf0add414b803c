import type { StationConfig } from "../config/schema.ts";
import { BoardSmokeDetector, type BoardSmokeWiring } from "../device/firmata/board-smoke.ts";
import type { BoardHandle } from "../device/hardware.ts";
import type { ByteLink } from "../device/ports/byte-link.ts";
import type { Clock } from "../device/ports/clock.ts";
import { createRealPowerGpio } from "../device/power/real-power-gpio.ts";
import type { PowerHardware } from "../device/power-hardware.ts";
import { SerialLink } from "../device/serial/serial-link.ts";
import type { FirmataBoardPeer } from "../simulator/firmata/firmata-board.ts";
import { SimPower } from "../simulator/power/sim-power.ts";

/**
 * The outlets' and the cabinet's hardware: each Modbus bus real (a USB–RS485 adapter) or simulated
 * on its own, as the station file says; relays and the smoke detector follow `hardware.mode`.
 */
export function buildPowerHardware(
  config: StationConfig,
  clock: Clock,
  opts: { timeScale?: number } = {},
): { power: PowerHardware | undefined; sim: SimPower | undefined } {
  const hasPower =
    config.modbus.length > 0 || (config.outlets?.list.length ?? 0) > 0 || config.safety.smokeDetector;
  if (!hasPower) return { power: undefined, sim: undefined };
  const simulatedGpio = config.hardware.mode === "simulated";
  const needsSim = simulatedGpio || config.modbus.some((b) => b.kind === "simulated");
  const sim = needsSim ? new SimPower(config, clock, { pace: true, ...opts }) : undefined;
  const buses = new Map<string, ByteLink>();
  for (const b of config.modbus) {
    const link =
      b.kind === "real" ? new SerialLink({ path: b.path ?? "", baudRate: b.baud }) : sim?.buses.get(b.id);
    if (link) buses.set(b.id, link);
  }
  if (simulatedGpio && sim)
    return {
      sim,
      power: {
        buses,
        outletRelays: sim.relays,
        outletTemperatures: sim.temperatures,
        cabinetPowerRelay: sim.cabinetPowerRelay,
        smokeDetector: sim.smoke,
      },
    };
  const gpio = createRealPowerGpio(config, clock);
  return { sim, power: { buses, outletTemperatures: new Map(), ...gpio } };
}

/** `safety.smokeDetector` when it is on the I/O board: its pin or threshold, as the board reads it. */
export function boardSmokeWiring(config: StationConfig): BoardSmokeWiring | undefined {
  const sd = config.safety.smokeDetector;
  if (!sd || !("board" in sd)) return undefined;
  return { ...sd.board, activeLow: sd.activeLow };
}

/**
 * The smoke detector on the I/O board (built with the occupancy hardware, which owns the board),
 * in place of the power hardware's; in the simulator, `smoke` then drives the simulated board's
 * pin or analog channel, so the smoke goes through Firmata like a real detector's.
 */
export function withBoardSmoke(
  config: StationConfig,
  power: PowerHardware,
  board: BoardHandle | undefined,
  deps: { clock: Clock; sim?: SimPower | undefined; peer?: FirmataBoardPeer | undefined },
): PowerHardware {
  const wiring = boardSmokeWiring(config);
  const sd = config.safety.smokeDetector;
  if (!wiring || !board || !sd) return power;
  if (deps.sim && deps.peer) deps.sim.smokeOnBoard(deps.peer, wiring);
  return { ...power, smokeDetector: new BoardSmokeDetector(board.board, wiring, sd.debounceMs, deps.clock) };
}
