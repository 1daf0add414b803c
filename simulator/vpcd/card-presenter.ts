import type { Logger } from "pino";
import { isStationError, StationError } from "../../config/errors.ts";
import { parseHexIdentifier } from "../../device/identity/hasher.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { VpcdCardPlayer } from "./card-player.ts";
import { brokenCard, mifareCard, residentIdCard, type SimCard } from "./sim-cards.ts";

export interface PresenterTiming {
  /** how long a person holds a card that never got read before giving up */
  readonly giveUpMs: number;
  /** a card stays this long after it was read (the beep), then it is taken away */
  readonly lingerMs: number;
  /** the resident ID card lies on the reader this long... */
  readonly restMs: number;
  /** ...and the reader loses and re-finds it this often (it ignores HALT) */
  readonly refindGapMs: number;
}

export const HUMAN_TIMING: PresenterTiming = {
  giveUpMs: 4000,
  lingerMs: 300,
  restMs: 3000,
  refindGapMs: 600,
};

/**
 * A person at a PC/SC reader: takes a card spec, makes the simulated card, holds it on the
 * virtual reader the way people do, and takes it away.
 *   4, 7 or 10 bytes of hex   a MIFARE card with that UID
 *   8 bytes of hex            a resident ID card with that chip serial (it lies on the reader)
 *   `broken`                  a card that answers garbage
 */
export class VpcdCardPresenter {
  private timer: TimerHandle | undefined;
  private session = 0;
  private unsubscribe: (() => void) | undefined;
  private active = false;
  /** monotonic ms when the last card was taken away for good */
  lastTakenAtMs: number | undefined;

  constructor(
    private readonly player: VpcdCardPlayer,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timing: PresenterTiming = HUMAN_TIMING,
  ) {}

  static cardFor(spec: string): SimCard {
    if (spec.trim().toLowerCase() === "broken") return brokenCard();
    const raw = parseHexIdentifier(spec);
    if (raw && [4, 7, 10].includes(raw.length)) return mifareCard(raw);
    if (raw && raw.length === 8) return residentIdCard(raw);
    throw new StationError(
      "SIM_BAD_COMMAND",
      "sim",
      "a card UID is 4, 7 or 10 bytes of hex (8 for an ID card)",
      {
        hint: "e.g. 04A1B2C3, 04A1B2C3D4E5F6, an 8-byte ID card serial, or broken",
      },
    );
  }

  /** Present a card now; a card already on the reader is taken away first. */
  tap(spec: string): void {
    const card = VpcdCardPresenter.cardFor(spec);
    this.cancel();
    const session = ++this.session;
    this.active = true;
    this.log.info({ card: card.label }, "a card is held to the reader");
    const restUntil = this.clock.monotonic() + (card.neverHalts ? this.timing.restMs : 0);
    void this.present(card, session, restUntil);
  }

  stop(): void {
    this.cancel();
  }

  /** a card is being held to the reader (or lies on it and will be found again) */
  get presenting(): boolean {
    return this.active;
  }

  private cancel(): void {
    if (this.active) this.lastTakenAtMs = this.clock.monotonic();
    this.active = false;
    this.session++;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.player.remove();
  }

  private async present(card: SimCard, session: number, restUntil: number): Promise<void> {
    try {
      await this.player.insert(card);
    } catch (err) {
      if (session !== this.session) return;
      this.active = false;
      this.log.warn(
        { err: isStationError(err) ? err.describe() : err },
        "the simulated card could not be presented",
      );
      return;
    }
    if (session !== this.session) return;
    const takeAway = (afterMs: number) => {
      this.clock.clearTimeout(this.timer);
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.unsubscribe?.();
        this.unsubscribe = undefined;
        if (session !== this.session) return;
        this.player.remove();
        // A resident ID card still lying there is found again after the reader's next poll.
        if (card.neverHalts && this.clock.monotonic() + this.timing.refindGapMs < restUntil) {
          this.timer = this.clock.setTimeout(() => {
            this.timer = undefined;
            if (session === this.session) void this.present(card, session, restUntil);
          }, this.timing.refindGapMs);
        } else {
          this.active = false;
          this.lastTakenAtMs = this.clock.monotonic();
        }
      }, afterMs);
    };
    this.unsubscribe = this.player.onTrace((t) => {
      if (t.type === "apdu" && t.read) takeAway(this.timing.lingerMs);
    });
    takeAway(this.timing.giveUpMs);
  }
}
