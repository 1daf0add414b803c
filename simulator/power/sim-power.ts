import type { StationConfig } from "../../config/schema.ts";
import type { BoardSmokeWiring } from "../../device/firmata/board-smoke.ts";
import type { ByteLink } from "../../device/ports/byte-link.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { TemperatureProbe } from "../../device/ports/temperature.ts";
import { MemoryLink } from "../../device/serial/memory-link.ts";
import { SimCabinet } from "../cabinet/sim-cabinet.ts";
import type { FirmataBoardPeer } from "../firmata/firmata-board.ts";
import { SimInputLine, SimOutputLine } from "../gpio-lines.ts";
import { SimRtuBus } from "../modbus/rtu-slave-bus.ts";
import type { LoadKind } from "./charge-load.ts";
import { type MeterFault, SimPzemMeter } from "./pzem-meter.ts";

/** An outlet's temperature probe whose value the simulator sets. */
export class SimTemperature implements TemperatureProbe {
  private value: number | undefined = 25;
  private readonly listeners = new Listeners<number>();
  constructor(readonly name: string) {}
  read(): number | undefined {
    return this.value;
  }
  onReading(listener: (tempC: number) => void): () => void {
    return this.listeners.add(listener);
  }
  set(tempC: number): void {
    this.value = tempC;
    this.listeners.emit(tempC);
  }
}

export interface PowerSimControl {
  plug(outlet: string, load: LoadKind | "none", socPct?: number): void;
  meterFault(outlet: string, fault: MeterFault): void;
  outletTemperature(outlet: string, tempC: number): void;
  smoke(active: boolean): void;
  deposit(socPct?: number): number | undefined;
  take(): { slot: number; batteryId: string } | undefined;
  thermalRunaway(slot: number): void;
  jamSlotDoor(slot: number, jammed: boolean): void;
  cabinetSmoke(active: boolean): void;
}

/**
 * The simulated side of the outlets and the cabinet: for each bus the station file marks
 * `simulated`, an in-process line with its PZEM meters and the cabinet as Modbus RTU slaves
 * (paced at the baud rate); relays, temperature probes and the smoke detector as simulated lines.
 */
export class SimPower {
  readonly buses = new Map<string, ByteLink>();
  readonly slaveBuses = new Map<string, SimRtuBus>();
  readonly meters = new Map<string, SimPzemMeter>();
  readonly relays = new Map<string, SimOutputLine>();
  readonly temperatures = new Map<string, SimTemperature>();
  readonly smoke: SimInputLine;
  readonly cabinetPowerRelay = new SimOutputLine("cabinetPowerRelay");
  readonly cabinet: SimCabinet | undefined;
  private batteryN = 5000;
  /** the smoke detector is on the simulated I/O board: drive its input there */
  private boardSmoke: ((active: boolean) => void) | undefined;

  constructor(config: StationConfig, clock: Clock, opts: { pace?: boolean; timeScale?: number } = {}) {
    this.smoke = new SimInputLine("smokeDetector", false, clock);
    for (const b of config.modbus) {
      if (b.kind !== "simulated") continue;
      const [master, slave] = MemoryLink.pair(`sim-${b.id}`);
      this.buses.set(b.id, master);
      this.slaveBuses.set(
        b.id,
        new SimRtuBus(slave, clock, { baud: b.baud, turnaroundMs: b.turnaroundMs, pace: opts.pace ?? true }),
      );
    }
    for (const o of config.outlets?.list ?? []) {
      const relay = new SimOutputLine(`relay:${o.id}`);
      this.relays.set(o.id, relay);
      this.temperatures.set(o.id, new SimTemperature(`temp:${o.id}`));
      const bus = this.slaveBuses.get(o.bus);
      if (!bus) continue;
      const meter = new SimPzemMeter(o.meterAddress, clock, () => relay.read(), {
        timeScale: opts.timeScale ?? 1,
      });
      this.meters.set(o.id, meter);
      bus.attach(meter);
    }
    const c = config.cabinet;
    const cabBus = c ? this.slaveBuses.get(c.bus) : undefined;
    if (c && cabBus) {
      // the contactor is energised to feed the chargers; its unpowered state cuts them
      this.cabinet = new SimCabinet(
        c.address,
        c.map,
        c.slots,
        clock,
        () => this.cabinetPowerRelay.read(),
        opts.timeScale ?? 1,
      );
      cabBus.attach(this.cabinet);
    }
  }

  async start(): Promise<void> {
    for (const b of this.slaveBuses.values()) await b.start();
  }

  async stop(): Promise<void> {
    for (const b of this.slaveBuses.values()) await b.stop();
  }

  readonly control: PowerSimControl = {
    plug: (outlet, load, socPct) => this.meter(outlet).plug(load === "none" ? undefined : load, socPct),
    meterFault: (outlet, fault) => {
      this.meter(outlet).fault = fault;
    },
    outletTemperature: (outlet, tempC) => this.temperatures.get(outlet)?.set(tempC),
    smoke: (active) => (this.boardSmoke ? this.boardSmoke(active) : this.smoke.set(active)),
    deposit: (socPct = 15) =>
      this.cabinet?.depositIntoOpenSlot(`B${String(++this.batteryN).padStart(8, "0")}`, socPct),
    take: () => this.cabinet?.takeFromOpenSlot(),
    thermalRunaway: (slot) => this.cabinet?.thermalRunaway(slot),
    jamSlotDoor: (slot, jammed) => this.cabinet?.jamDoor(slot, jammed),
    cabinetSmoke: (active) => {
      if (this.cabinet) this.cabinet.smoke = active;
    },
  };

  /**
   * The station's smoke detector is on the I/O board: `smoke` drives that board's pin (the
   * contact) or analog channel (a sensor's voltage), starting clear.
   */
  smokeOnBoard(peer: FirmataBoardPeer, w: BoardSmokeWiring): void {
    this.boardSmoke = (active) => {
      const high = active !== w.activeLow;
      if ("pin" in w) peer.setInput(w.pin, high);
      else peer.analog[w.analog] = high ? Math.min(1023, w.threshold + 200) : Math.max(0, w.threshold - 200);
    };
    this.boardSmoke(false);
  }

  private meter(outlet: string): SimPzemMeter {
    const m = this.meters.get(outlet);
    if (!m) throw new RangeError(`no simulated meter for outlet ${outlet}`);
    return m;
  }
}
