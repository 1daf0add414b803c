import { withCrc } from "../../device/modbus/crc.ts";
import { encodePzem, PZEM_HOLDING, type PzemReading } from "../../device/modbus/pzem.ts";
import { EXCEPTION, type ModbusRequest } from "../../device/modbus/rtu-codec.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { SimSlave, SlaveReply } from "../modbus/rtu-slave-bus.ts";
import { ChargeLoad, type LoadKind } from "./charge-load.ts";

/** One line of a scenario: a meter that works, answers noise, stays silent or sees too much current. */
export type MeterFault = "none" | "silent" | "crc-noise" | "over-current";

/**
 * A PZEM-004T v3 behind an outlet's relay: it measures what the plugged load draws while the
 * relay is on, integrates energy on the simulation clock, and answers like the real meter.
 */
export class SimPzemMeter implements SimSlave {
  load: ChargeLoad | undefined;
  fault: MeterFault = "none";
  powerAlarmW = 2300;
  private energyWh = 0;
  private lastMs: number;

  constructor(
    readonly unit: number,
    private readonly clock: Clock,
    private readonly powered: () => boolean,
    private readonly opts: { voltageV?: number; timeScale?: number } = {},
  ) {
    this.lastMs = clock.monotonic();
  }

  plug(kind: LoadKind | undefined, startSocPct = 20): void {
    this.advance();
    this.load = kind ? new ChargeLoad(kind, startSocPct) : undefined;
  }

  /** What the meter measures now. */
  reading(): PzemReading {
    this.advance();
    const voltageV = this.opts.voltageV ?? 230;
    let powerW = 0;
    let pf = 1;
    if (this.powered()) {
      if (this.fault === "over-current") {
        powerW = 3680;
        pf = 1;
      } else if (this.load) {
        powerW = this.load.powerW();
        pf = this.load.profile.powerFactor;
      }
    }
    const currentA = powerW === 0 ? 0 : powerW / (voltageV * pf);
    return {
      voltageV,
      currentA,
      powerW,
      energyWh: this.energyWh,
      frequencyHz: 50,
      powerFactor: powerW === 0 ? 0 : pf,
      alarm: powerW > this.powerAlarmW,
    };
  }

  handle(req: ModbusRequest): SlaveReply {
    if (this.fault === "silent") return { kind: "silent" };
    const reply = this.answer(req);
    if (this.fault === "crc-noise" && reply.kind === "answer") {
      // a frame with one byte mangled on the way: the master must see a CRC error, never a value
      return {
        kind: "raw",
        bytes: withCrc([this.unit, 0x04, 2, 0x12, 0x34]).map((b, i) => (i === 3 ? b ^ 0x5a : b)),
      };
    }
    return reply;
  }

  private answer(req: ModbusRequest): SlaveReply {
    const ex = (code: number): SlaveReply => ({
      kind: "answer",
      response: { fn: "exception", unit: this.unit, function: req.fn, code },
    });
    if (req.fn === 0x04) {
      if (req.address + req.count > 10) return ex(EXCEPTION.illegalAddress);
      const regs = encodePzem(this.reading()).slice(req.address, req.address + req.count);
      return { kind: "answer", response: { fn: 0x04, unit: this.unit, values: regs } };
    }
    if (req.fn === 0x03) {
      const holding = [0, this.powerAlarmW, this.unit];
      if (req.address < 1 || req.address + req.count > 3) return ex(EXCEPTION.illegalAddress);
      const values = Uint16Array.from(holding.slice(req.address, req.address + req.count));
      return { kind: "answer", response: { fn: 0x03, unit: this.unit, values } };
    }
    if (req.fn === 0x06 && req.address === PZEM_HOLDING.powerAlarmW) {
      this.powerAlarmW = req.value;
      return {
        kind: "answer",
        response: { fn: 0x06, unit: this.unit, address: req.address, value: req.value },
      };
    }
    return ex(EXCEPTION.illegalFunction);
  }

  private advance(): void {
    const now = this.clock.monotonic();
    const dt = (now - this.lastMs) * (this.opts.timeScale ?? 1);
    this.lastMs = now;
    if (dt > 0 && this.powered() && this.load && this.fault !== "over-current")
      this.energyWh += this.load.run(dt);
  }
}
