import { DebouncedInput } from "../gpio/debounce.ts";
import type { Clock } from "../ports/clock.ts";
import type { GpioEdge, GpioInput } from "../ports/gpio.ts";
import type { IoBoard } from "../ports/io-board.ts";
import { Listeners } from "../ports/listeners.ts";
import type { SmokeDetector, SmokeDetectorHealth } from "../ports/smoke-detector.ts";

/** how often an analog smoke sensor is read (StandardFirmata samples every 19 ms) */
export const SMOKE_ANALOG_FREQ_MS = 25;

export type BoardSmokeWiring =
  | { readonly pin: number; readonly activeLow: boolean }
  | { readonly analog: number; readonly threshold: number; readonly activeLow: boolean };

/** Whether a board reading means smoke: a pin's level, or an analog value against the threshold. */
export function smokeLevel(w: BoardSmokeWiring, reading: number | boolean): boolean {
  if ("pin" in w) return (reading === true) !== w.activeLow;
  const above = typeof reading === "number" && reading >= w.threshold;
  return above !== w.activeLow;
}

/**
 * The raw level of the detector's pin on the I/O board (not debounced): the board's reports,
 * kept as the last level while the board is away. Its health is the board's: online once the
 * board is ready and has reported the pin since.
 */
class BoardLine implements GpioInput {
  readonly name = "smokeDetector";
  private level = false;
  private reported = false;
  private readonly edges = new Listeners<GpioEdge>();
  private readonly healths = new Listeners<SmokeDetectorHealth>();
  private current: SmokeDetectorHealth = { online: false, detail: "the I/O board has not reported yet" };
  private readonly unsubs: (() => void)[] = [];

  constructor(
    private readonly board: IoBoard,
    private readonly wiring: BoardSmokeWiring,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    const w = this.wiring;
    const onReading = (v: number | boolean) => {
      this.reported = true;
      this.setLevel(smokeLevel(w, v));
      this.updateHealth();
    };
    if ("pin" in w) {
      this.board.pinMode(w.pin, "pullup");
      this.unsubs.push(this.board.onDigital(w.pin, onReading));
    } else {
      // Read often: smoke must reach the safety coordinator within a Modbus poll cycle.
      this.unsubs.push(this.board.onAnalog(w.analog, onReading, SMOKE_ANALOG_FREQ_MS));
    }
    this.unsubs.push(
      this.board.onStatus((s) => {
        // A board that comes back must report the pin again before it counts as watched.
        if (!s.ready) this.reported = false;
        this.updateHealth();
      }),
    );
    this.updateHealth();
  }

  async stop(): Promise<void> {
    for (const u of this.unsubs.splice(0)) u();
  }

  read(): boolean {
    return this.level;
  }

  onEdge(listener: (edge: GpioEdge) => void): () => void {
    return this.edges.add(listener);
  }

  health(): SmokeDetectorHealth {
    return this.current;
  }

  onHealth(listener: (h: SmokeDetectorHealth) => void): () => void {
    return this.healths.add(listener);
  }

  private setLevel(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    this.edges.emit({ active: level, atMs: this.clock.monotonic() });
  }

  private updateHealth(): void {
    const s = this.board.status();
    const next: SmokeDetectorHealth = !s.ready
      ? { online: false, detail: `I/O board ${this.board.path}: ${s.detail ?? "not ready"}` }
      : this.reported
        ? { online: true }
        : { online: false, detail: `I/O board ${this.board.path} has not reported the detector yet` };
    if (next.online === this.current.online && next.detail === this.current.detail) return;
    this.current = next;
    this.healths.emit(next);
  }
}

/**
 * The smoke detector on the I/O board (`safety.smokeDetector.board`), debounced. The board itself
 * is started by the occupancy subsystem; this only listens to it.
 */
export class BoardSmokeDetector implements SmokeDetector {
  private readonly line: BoardLine;
  private readonly debounced: DebouncedInput;

  constructor(board: IoBoard, wiring: BoardSmokeWiring, debounceMs: number, clock: Clock) {
    this.line = new BoardLine(board, wiring, clock);
    this.debounced = new DebouncedInput(this.line, debounceMs, clock);
  }

  get name(): string {
    return this.line.name;
  }

  start(): Promise<void> {
    return this.debounced.start();
  }

  stop(): Promise<void> {
    return this.debounced.stop();
  }

  read(): boolean {
    return this.debounced.read();
  }

  onEdge(listener: (edge: GpioEdge) => void): () => void {
    return this.debounced.onEdge(listener);
  }

  health(): SmokeDetectorHealth {
    return this.line.health();
  }

  onHealth(listener: (h: SmokeDetectorHealth) => void): () => void {
    return this.line.onHealth(listener);
  }
}
