import type { CabinetMap } from "../../config/sections/cabinet.ts";
import { decodeSlot, encodeSlot, encodeStatus, type SlotView } from "../../device/cabinet/cabinet-map.ts";
import { EXCEPTION, type ModbusRequest } from "../../device/modbus/rtu-codec.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { SimSlave, SlaveReply } from "../modbus/rtu-slave-bus.ts";

interface SimSlot {
  view: SlotView;
  jammed: boolean;
  runaway: boolean;
}

/** Above this a slot's thermal sensor trips the cabinet's alarm bit. */
const THERMAL_ALARM_C = 70;
/** SoC per second on charge (a 1 h charge, sped up by the demo's time scale) */
const CHARGE_PCT_PER_S = 100 / 3600;
const RUNAWAY_C_PER_S = 4;

/**
 * A battery-swap cabinet as a Modbus RTU slave, through the same register map as the driver:
 * slots with locks and doors a simulated person opens and closes, batteries that charge, and the
 * faults the field knows (a thermal runaway, a jammed door, a smoke alarm, a battery fault).
 */
export class SimCabinet implements SimSlave {
  readonly slots: SimSlot[];
  smoke = false;
  mainsOn = true;
  private lastMs: number;

  constructor(
    readonly unit: number,
    private readonly map: CabinetMap,
    count: number,
    private readonly clock: Clock,
    private readonly contactor: () => boolean = () => true,
    private readonly timeScale = 1,
  ) {
    this.lastMs = clock.monotonic();
    this.slots = Array.from({ length: count }, (_, i) => ({
      view: {
        slot: i + 1,
        doorClosed: true,
        doorLocked: true,
        present: i !== 0,
        charging: i !== 0,
        faults: [],
        batteryId: i === 0 ? "" : `B${String(1000 + i + 1).padStart(8, "0")}`,
        socPct: i === 0 ? 0 : Math.min(100, 55 + i * 9),
        voltageV: 52,
        tempC: 26,
      },
      jammed: false,
      runaway: false,
    }));
  }

  slot(n: number): SimSlot {
    const s = this.slots[n - 1];
    if (!s) throw new RangeError(`no slot ${n}`);
    return s;
  }

  get thermal(): boolean {
    this.advance();
    return this.slots.some((s) => s.view.tempC >= THERMAL_ALARM_C);
  }

  /** The cell starts venting: its temperature is past the alarm point at once and keeps rising. */
  thermalRunaway(n: number): void {
    this.advance();
    const s = this.slot(n);
    s.runaway = true;
    s.view = { ...s.view, tempC: Math.max(s.view.tempC, THERMAL_ALARM_C + 2) };
  }

  jamDoor(n: number, jammed = true): void {
    const s = this.slot(n);
    s.jammed = jammed;
    s.view = {
      ...s.view,
      faults: jammed
        ? [...new Set([...s.view.faults, "door-jam"])]
        : s.view.faults.filter((f) => f !== "door-jam"),
    };
  }

  setFault(n: number, fault: string, on: boolean): void {
    const s = this.slot(n);
    s.view = {
      ...s.view,
      faults: on ? [...new Set([...s.view.faults, fault])] : s.view.faults.filter((f) => f !== fault),
    };
  }

  /** A person at the cabinet: opens an unlocked slot's door (a jammed door does not open). */
  open(n: number): boolean {
    const s = this.slot(n);
    if (s.view.doorLocked || s.jammed) return false;
    s.view = { ...s.view, doorClosed: false };
    return true;
  }

  close(n: number): void {
    const s = this.slot(n);
    // the lock latches as the door shuts
    s.view = { ...s.view, doorClosed: true, doorLocked: true };
  }

  insert(n: number, batteryId: string, socPct: number, tempC = 28): void {
    const s = this.slot(n);
    if (s.view.doorClosed || s.view.present) return;
    s.view = { ...s.view, present: true, batteryId, socPct, tempC, charging: this.powered() };
  }

  remove(n: number): boolean {
    const s = this.slot(n);
    if (s.view.doorClosed || !s.view.present) return false;
    s.view = { ...s.view, present: false, batteryId: "", socPct: 0, charging: false, tempC: 26 };
    return true;
  }

  /** The worker's whole gesture at the slot the cabinet opened for them. */
  depositIntoOpenSlot(batteryId: string, socPct: number): number | undefined {
    const s = this.slots.find((x) => !x.view.doorLocked && !x.view.present);
    if (!s || !this.open(s.view.slot)) return undefined;
    this.insert(s.view.slot, batteryId, socPct);
    this.close(s.view.slot);
    return s.view.slot;
  }

  takeFromOpenSlot(): { slot: number; batteryId: string } | undefined {
    const s = this.slots.find((x) => !x.view.doorLocked && x.view.present);
    if (!s || !this.open(s.view.slot)) return undefined;
    const batteryId = s.view.batteryId;
    this.remove(s.view.slot);
    this.close(s.view.slot);
    return { slot: s.view.slot, batteryId };
  }

  /** a cabinet whose controller hangs or lost its bus: it answers nothing */
  silent = false;

  handle(req: ModbusRequest): SlaveReply {
    if (this.silent) return { kind: "silent" };
    this.advance();
    const ex = (code: number): SlaveReply => ({
      kind: "answer",
      response: { fn: "exception", unit: this.unit, function: req.fn, code },
    });
    const m = this.map;
    if (req.fn === 0x04) {
      if (req.address === m.status.address && req.count <= m.status.count) {
        const values = encodeStatus(
          { thermal: this.thermal, smoke: this.smoke, mains: this.powered() },
          m,
        ).slice(0, req.count);
        return { kind: "answer", response: { fn: 0x04, unit: this.unit, values } };
      }
      const off = req.address - m.slots.base;
      const stride = m.slots.stride;
      if (
        off < 0 ||
        off % stride !== 0 ||
        req.count % stride !== 0 ||
        off / stride + req.count / stride > this.slots.length
      )
        return ex(EXCEPTION.illegalAddress);
      const values = new Uint16Array(req.count);
      for (let i = 0; i < req.count / stride; i++)
        values.set(encodeSlot(this.slot(off / stride + i + 1).view, m), i * stride);
      return { kind: "answer", response: { fn: 0x04, unit: this.unit, values } };
    }
    if (req.fn === 0x06) {
      const ok: SlaveReply = {
        kind: "answer",
        response: { fn: 0x06, unit: this.unit, address: req.address, value: req.value },
      };
      if (req.address === m.power.address) {
        this.mainsOn = req.value === m.power.on;
        return ok;
      }
      const n = req.address - m.commands.base + 1;
      if (n < 1 || n > this.slots.length) return ex(EXCEPTION.illegalAddress);
      const s = this.slot(n);
      if (req.value === m.commands.unlock) s.view = { ...s.view, doorLocked: false };
      else if (req.value === m.commands.chargeOn) s.view = { ...s.view, charging: s.view.present };
      else if (req.value === m.commands.chargeOff) s.view = { ...s.view, charging: false };
      else return ex(EXCEPTION.illegalValue);
      return ok;
    }
    return ex(EXCEPTION.illegalFunction);
  }

  /** What the driver would decode for slot n right now (for tests and the console). */
  read(n: number): SlotView {
    this.advance();
    return decodeSlot(encodeSlot(this.slot(n).view, this.map), n, this.map);
  }

  private powered(): boolean {
    return this.mainsOn && this.contactor();
  }

  private advance(): void {
    const now = this.clock.monotonic();
    const dt = ((now - this.lastMs) / 1000) * this.timeScale;
    this.lastMs = now;
    if (dt <= 0) return;
    const powered = this.powered();
    for (const s of this.slots) {
      const v = s.view;
      let { socPct, tempC } = v;
      if (v.present && v.charging && powered && socPct < 100)
        socPct = Math.min(100, socPct + CHARGE_PCT_PER_S * dt);
      // A runaway does not stop when the power is cut: that is why the door must open.
      if (s.runaway) tempC = Math.min(400, tempC + RUNAWAY_C_PER_S * dt);
      s.view = { ...v, socPct: Math.round(socPct * 10) / 10, tempC: Math.round(tempC * 10) / 10 };
    }
  }
}
