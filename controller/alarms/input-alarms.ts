import type { Logger } from "pino";
import type { GpioInput } from "../../device/ports/gpio.ts";
import type { TimeQuality, TimeSource } from "../../device/ports/time-source.ts";
import type { EventBus } from "../events/event-bus.ts";

export interface WatchedInputs {
  readonly tamper?: GpioInput | undefined;
  readonly onBattery?: GpioInput | undefined;
  readonly timeSource: TimeSource;
}

/**
 * Conditions that raise alarms without touching the door: the enclosure tamper switch, the UPS
 * running on battery, and a clock that cannot be trusted. Each becomes a raised/cleared alarm
 * pair; power and time changes also get their own events.
 */
export class InputAlarms {
  private readonly unsubscribers: (() => void)[] = [];
  private battery = false;

  constructor(
    private readonly inputs: WatchedInputs,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { tamper, onBattery, timeSource } = this.inputs;
    if (tamper) {
      await tamper.start();
      this.unsubscribers.push(tamper.onEdge((e) => this.tamper(e.active)));
      if (tamper.read()) this.tamper(true);
    }
    if (onBattery) {
      await onBattery.start();
      this.unsubscribers.push(onBattery.onEdge((e) => this.power(e.active)));
      if (onBattery.read()) this.power(true);
    }
    await timeSource.start();
    let last = timeSource.quality();
    if (last === "unknown")
      this.bus.emit("alarm.raised", { alarm: "time-unknown", detail: "no time sync since boot and no RTC" });
    this.unsubscribers.push(
      timeSource.onChange((q) => {
        this.time(last, q);
        last = q;
      }),
    );
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    await this.inputs.tamper?.stop();
    await this.inputs.onBattery?.stop();
    await this.inputs.timeSource.stop();
  }

  onBattery(): boolean {
    return this.battery;
  }

  private tamper(active: boolean): void {
    this.log.warn({ active }, active ? "enclosure tamper switch opened" : "enclosure tamper switch closed");
    this.bus.emit(active ? "alarm.raised" : "alarm.cleared", { alarm: "tamper" });
  }

  private power(onBattery: boolean): void {
    if (onBattery === this.battery) return;
    this.battery = onBattery;
    this.log.warn({ onBattery }, onBattery ? "mains lost: running on UPS battery" : "mains restored");
    this.bus.emit("power.changed", { onBattery });
    this.bus.emit(onBattery ? "alarm.raised" : "alarm.cleared", { alarm: "on-battery" });
  }

  private time(from: TimeQuality, to: TimeQuality): void {
    this.log.info({ from, to }, "time quality changed");
    this.bus.emit("time.quality-changed", { from, to });
    if (to === "unknown")
      this.bus.emit("alarm.raised", { alarm: "time-unknown", detail: "the clock lost its source" });
    else if (from === "unknown") this.bus.emit("alarm.cleared", { alarm: "time-unknown" });
  }
}
