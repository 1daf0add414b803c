import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { ensurePrivateDir } from "../../config/private-files.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";

const SAVE_DELAY_MS = 10_000;

/**
 * Lock relay operations over the relay's whole life, kept across restarts (hobby relays last
 * about 100,000 operations at rated load). Saved at most every 10 s and at stop, by
 * write-then-rename so a power cut leaves the old count, never a torn file.
 */
export class RelayCounter {
  private count = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly file: string | undefined,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  load(): void {
    if (!this.file) return;
    try {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as { cycles?: unknown };
      if (typeof parsed.cycles === "number" && Number.isSafeInteger(parsed.cycles) && parsed.cycles >= 0) {
        this.count = parsed.cycles;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        this.log.warn({ err: String(err), file: this.file }, "relay counter unreadable; counting from 0");
      }
    }
  }

  increment(): void {
    this.count++;
    if (this.file && !this.timer) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.save();
      }, SAVE_DELAY_MS);
    }
  }

  get value(): number {
    return this.count;
  }

  save(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file) return;
    try {
      ensurePrivateDir(dirname(this.file));
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify({ cycles: this.count }), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      // A read-only or full disk must not stop the door; the count is lost at worst.
      this.log.warn({ err: String(err), file: this.file }, "could not save the relay counter");
    }
  }
}
