import type { Logger } from "pino";
import type { OccupancyConfig } from "../config/sections/occupancy.ts";
import { JohnnyFiveBoard } from "../device/firmata/johnny-five-board.ts";
import type { BoardHandle } from "../device/hardware.ts";
import type { Clock } from "../device/ports/clock.ts";
import { SerialPortLink } from "../device/serial/serialport-link.ts";
import { FIRMATA_BOARD_DEFAULTS, FirmataBoardPeer } from "../simulator/firmata/firmata-board.ts";
import { openSimSerialWire } from "../simulator/serial/sim-serial.ts";

type BoardConfig = NonNullable<OccupancyConfig["board"]>;

export interface BuiltBoard {
  handle: BoardHandle;
  /** the simulated board, when `port: simulated` */
  peer: FirmataBoardPeer | undefined;
  how: string;
  stop(): Promise<void>;
}

/** The I/O board: johnny-five over a real port, or over a wire to the simulated StandardFirmata board. */
export async function buildBoard(
  cfg: BoardConfig,
  deps: { clock: Clock; logger: Logger; socat: string | undefined },
): Promise<BuiltBoard> {
  const opts = {
    readyTimeoutMs: cfg.readyTimeoutMs,
    reopenMs: 1000,
    analogFreqMs: 1000,
    probeMs: cfg.probeMs,
  };
  if (cfg.port !== "simulated") {
    const board = new JohnnyFiveBoard(cfg.port, new SerialPortLink(cfg.port, cfg.baudRate), deps.clock, opts);
    return {
      handle: { board, analog: cfg.analog },
      peer: undefined,
      how: `StandardFirmata board on ${cfg.port} (johnny-five)`,
      stop: async () => {},
    };
  }
  const wire = await openSimSerialWire("board", cfg.baudRate, deps.socat);
  const peer = new FirmataBoardPeer(
    wire.device,
    deps.clock,
    FIRMATA_BOARD_DEFAULTS,
    deps.logger.child({ module: "simulator" }),
  );
  const board = new JohnnyFiveBoard(wire.host.path, wire.host, deps.clock, opts);
  return {
    handle: { board, analog: cfg.analog },
    peer,
    how: `simulated StandardFirmata board over ${wire.how} (johnny-five)`,
    async stop() {
      await peer.stop();
      await wire.dispose();
    },
  };
}
