import type { Gpio as OnoffGpio } from "onoff";
import { StationError } from "../../config/errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { GpioEdge, GpioInput, GpioOutput } from "../ports/gpio.ts";
import { Listeners } from "../ports/listeners.ts";

type GpioCtor = typeof OnoffGpio;

/** onoff is loaded only when real GPIO is used, so a laptop never needs its native epoll addon. */
async function loadOnoff(): Promise<GpioCtor> {
  try {
    const mod = (await import("onoff")) as unknown as { Gpio?: GpioCtor; default?: { Gpio: GpioCtor } };
    const Gpio = mod.Gpio ?? mod.default?.Gpio;
    if (!Gpio) throw new Error("onoff has no Gpio export");
    return Gpio;
  } catch (cause) {
    throw new StationError("GPIO_UNAVAILABLE", "gpio", "the onoff GPIO driver could not be loaded", {
      cause,
      hint: "run npm ci on the station itself so the epoll addon is built for this board",
    });
  }
}

function openLine(
  Gpio: GpioCtor,
  sysfs: number,
  name: string,
  direction: "in" | "low" | "high",
  activeLow: boolean,
) {
  try {
    return new Gpio(sysfs, direction, direction === "in" ? "both" : "none", {
      activeLow,
      reconfigureDirection: false,
    });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new StationError(
      "GPIO_UNAVAILABLE",
      "gpio",
      `cannot open GPIO ${sysfs} for ${name} (${code ?? "error"})`,
      {
        cause,
        hint:
          code === "EACCES" || code === "EPERM"
            ? "the service user may not use GPIO: sudo usermod -aG gpio <user>, then log in again"
            : code === "EBUSY"
              ? "another process (or a kernel overlay) holds this pin; check config.txt overlays"
              : "check that the pin exists on this board and is not claimed by an overlay",
      },
    );
  }
}

export class OnoffInput implements GpioInput {
  private readonly listeners = new Listeners<GpioEdge>();
  private line: OnoffGpio | undefined;
  private level = false;

  constructor(
    readonly name: string,
    private readonly sysfs: number,
    private readonly activeLow: boolean,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    const line = openLine(await loadOnoff(), this.sysfs, this.name, "in", this.activeLow);
    this.line = line;
    this.level = line.readSync() === 1;
    line.watch((err, value) => {
      if (err) return; // a failed read leaves the last level; the next edge corrects it
      this.level = value === 1;
      this.listeners.emit({ active: this.level, atMs: this.clock.monotonic() });
    });
  }

  async stop(): Promise<void> {
    this.line?.unwatchAll();
    this.line?.unexport();
    this.line = undefined;
  }

  read(): boolean {
    return this.level;
  }

  onEdge(listener: (edge: GpioEdge) => void): () => void {
    return this.listeners.add(listener);
  }
}

export class OnoffOutput implements GpioOutput {
  private line: OnoffGpio | undefined;
  private level = false;

  constructor(
    readonly name: string,
    private readonly sysfs: number,
    private readonly activeLow: boolean,
  ) {}

  /**
   * Opens the line and drives it inactive. Written explicitly: onoff leaves a line that is
   * already exported as an output at whatever level it had, and a controller that died left it
   * there (a strike held released, say). Starting twice only drives it inactive again.
   */
  async start(): Promise<void> {
    // Open at the inactive level: the relay must not click on while the controller boots.
    this.line ??= openLine(
      await loadOnoff(),
      this.sysfs,
      this.name,
      this.activeLow ? "high" : "low",
      this.activeLow,
    );
    this.write(false);
  }

  async stop(): Promise<void> {
    // Deliberately not unexported: an unexported pin floats and some relay boards then switch on.
    this.line = undefined;
  }

  write(active: boolean): void {
    if (!this.line) {
      throw new StationError("DOOR_OUTPUT_FAILED", "gpio", `${this.name} written before start()`);
    }
    try {
      this.line.writeSync(active ? 1 : 0);
      this.level = active;
    } catch (cause) {
      throw new StationError("GPIO_IO", "gpio", `writing ${this.name} failed`, { cause });
    }
  }

  read(): boolean {
    return this.level;
  }
}
