import type { Logger } from "pino";
import type { CardReader, CredentialRead, ReaderStatus } from "../../device/ports/card-reader.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { AccessReason } from "../contract/access-events.ts";
import type { TimeQuality } from "../contract/time-quality.ts";
import type { EventBus } from "../events/event-bus.ts";
import { localTime, type TimeWindow } from "../time/local-time.ts";
import type { CredentialStore, Role } from "./credential-store.ts";
import { afterCooldown, afterDecision, isLockedOut, type LockoutState, NO_LOCKOUT } from "./lockout.ts";
import type { OccupancyFigure } from "./occupancy.ts";
import { COUNTS_TOWARDS_LOCKOUT, type Decision, decide } from "./policy.ts";
import type { SecondFactor } from "./second-factor.ts";

export interface Door {
  grant(): void;
}

export interface AccessSettings {
  readonly schedules: ReadonlyMap<string, readonly TimeWindow[]>;
  readonly holidays: ReadonlySet<string>;
  readonly timezone: string;
  readonly lockout: { threshold: number; cooldownMs: number };
  readonly rereadSuppressMs: number;
  readonly capacity: number | undefined;
  readonly antiPassbackMs: number;
  readonly faceDownPolicy: "deny" | "card-only";
  /** how recent a face match counts as the second factor */
  readonly faceWindowMs: number;
  readonly pins: {
    readonly minLength: number;
    readonly allowPinOnly: boolean;
    readonly secondFactorWindowMs: number;
  };
}

export interface AccessDeps {
  readonly clock: Clock;
  readonly timeQuality: () => TimeQuality;
  readonly occupancy: OccupancyFigure;
  readonly face: SecondFactor;
  /** told about every grant (first-card passage rule) */
  readonly onGrant?: (role: Role) => void;
  /**
   * Takes over an alarm restored from before a restart (alarm-board.ts), true when it was
   * active then: this controller then clears it itself when its condition ends.
   */
  readonly adoptAlarm?: (alarm: "lockout" | "reader-offline", source: string) => boolean;
  /** readers that sit at a charging outlet, by reader id: their grants do not open the door */
  readonly outletReaders?: ReadonlyMap<string, string>;
  /** "who is this card": while active, a card read is shown instead of decided */
  readonly identify?: { active(): boolean; show(read: CredentialRead): void };
}

/** A reader's lockout as kept across a restart: wall-clock ms it ends. */
export type PersistedLockouts = Record<string, { untilMs: number }>;

interface ReaderState {
  online: boolean;
  offlineAlarm: boolean;
  lockout: LockoutState;
  cooldown: TimerHandle | undefined;
  last: { credential: string; atMs: number } | undefined;
}

export interface AccessStats {
  granted: number;
  denied: Partial<Record<AccessReason, number>>;
  suppressed: number;
}

/**
 * Turns reads into decisions. From a complete read to the lock command the path is synchronous:
 * nothing else on the event loop can queue in front of a worker at the door. Every read that is
 * not a suppressed re-read gives one access event with a machine-readable reason.
 */
export class AccessController {
  private readonly unsubscribers: (() => void)[] = [];
  private readonly readerState = new Map<string, ReaderState>();
  /** credential -> monotonic ms of its last granted entry, oldest first */
  private readonly entries = new Map<string, number>();
  /** personId -> monotonic ms of their PIN, typed as the second factor of the card to follow */
  private readonly pinsTyped = new Map<string, number>();
  readonly stats: AccessStats = { granted: 0, denied: {}, suppressed: 0 };

  private readonly readers: CardReader[];

  constructor(
    readers: readonly CardReader[],
    private readonly store: CredentialStore,
    private readonly door: Door,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private settings: AccessSettings,
    private readonly deps: AccessDeps,
  ) {
    this.readers = [...readers];
  }

  /** A reader another subsystem provides (the face entry), added before start(). */
  addReader(reader: CardReader): void {
    this.readers.push(reader);
  }

  /** `lockouts`: what the last run left (a lockout outlives a restart, or a restart would lift it). */
  async start(lockouts: PersistedLockouts = {}): Promise<void> {
    const adopt = this.deps.adoptAlarm ?? (() => false);
    for (const reader of this.readers) {
      const rs: ReaderState = {
        online: false,
        offlineAlarm: adopt("reader-offline", reader.id),
        lockout: NO_LOCKOUT,
        cooldown: undefined,
        last: undefined,
      };
      this.readerState.set(reader.id, rs);
      this.restoreLockout(reader, rs, lockouts[reader.id]);
      this.unsubscribers.push(
        reader.onRead((read) => this.onRead(reader, read)),
        reader.onStatus((status) => this.onStatus(status)),
      );
    }
    for (const reader of this.readers) await reader.start();
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    for (const s of this.readerState.values()) this.deps.clock.clearTimeout(s.cooldown);
    for (const reader of this.readers) await reader.stop();
  }

  /** Active lockouts in wall-clock time, for the station state file. */
  lockouts(): PersistedLockouts {
    const mono = this.deps.clock.monotonic();
    const wall = this.deps.clock.now();
    const out: PersistedLockouts = {};
    for (const [id, s] of this.readerState) {
      if (isLockedOut(s.lockout, mono) && s.lockout.until !== undefined) {
        out[id] = { untilMs: wall + (s.lockout.until - mono) };
      }
    }
    return out;
  }

  private restoreLockout(reader: CardReader, rs: ReaderState, saved: { untilMs: number } | undefined): void {
    // The alarm is what people saw; the lockout and its alarm always go together.
    if (!(this.deps.adoptAlarm?.("lockout", reader.id) ?? false)) return;
    // Never longer than one cool-down: a wall clock stepped back while we were down must not
    // lock a reader out for hours.
    const left = saved
      ? Math.min(saved.untilMs - this.deps.clock.now(), this.settings.lockout.cooldownMs)
      : 0;
    if (left <= 0) {
      this.bus.emit("alarm.cleared", { alarm: "lockout", source: reader.id });
      return;
    }
    rs.lockout = { failures: 0, until: this.deps.clock.monotonic() + left };
    this.armCooldown(reader, rs, left);
    this.log.warn(
      { readerId: reader.id, leftMs: Math.round(left) },
      "reader lockout restored after a restart",
    );
  }

  private armCooldown(reader: CardReader, rs: ReaderState, ms: number): void {
    rs.cooldown = this.deps.clock.setTimeout(() => {
      rs.cooldown = undefined;
      const c = afterCooldown(rs.lockout, this.deps.clock.monotonic());
      rs.lockout = c.state;
      if (c.outcome === "cleared") this.bus.emit("alarm.cleared", { alarm: "lockout", source: reader.id });
    }, ms);
  }

  readerStates(): Record<string, { status: "online" | "offline"; lockedOut: boolean }> {
    const now = this.deps.clock.monotonic();
    return Object.fromEntries(
      [...this.readerState].map(([id, s]) => [
        id,
        { status: s.online ? "online" : "offline", lockedOut: isLockedOut(s.lockout, now) },
      ]),
    );
  }

  onRead(reader: CardReader, given: CredentialRead): void {
    const rs = this.readerState.get(reader.id);
    if (!rs) return;
    const read = this.underKnownKey(given);
    const now = this.deps.clock.monotonic();
    if (
      rs.last &&
      rs.last.credential === read.credential &&
      now - rs.last.atMs < this.settings.rereadSuppressMs
    ) {
      // The same card still on the reader, or tapped twice: one decision is enough. The window
      // stays anchored at that decision; sliding it on every re-read would ignore for ever a
      // worker who keeps tapping because the door did not open.
      this.stats.suppressed++;
      return;
    }
    // The same refused card decided on again (left on the reader, tapped again) is not a
    // guess: only a different credential counts towards the reader's lockout.
    const repeat = rs.last?.credential === read.credential;
    rs.last = { credential: read.credential, atMs: now };
    if (read.kind !== "face" && this.deps.identify?.active()) {
      // identify mode: shown, not decided; no door, no lockout count, a red light at the reader
      this.deps.identify.show(read);
      reader.signal("deny");
      return;
    }

    const outlet = this.deps.outletReaders?.get(read.readerId);
    const direction = this.deps.occupancy.readerDirection?.(read.readerId) ?? "in";
    const decision = this.refusePin(read, now) ?? this.decide(read, rs, now, direction);
    const base = {
      readerId: read.readerId,
      ...(outlet ? { outlet } : {}),
      credential: read.credential,
      format: read.format,
      method: read.kind === "face" ? ("face" as const) : ("card" as const),
      ...(read.face ? { face: read.face } : {}),
    };
    // The decision is recorded before its consequence, so `events` reads grant -> unlock.
    if (decision.granted) {
      const e = decision.entry;
      this.bus.emit("access.granted", {
        ...base,
        personId: e.personId,
        role: e.role,
        reason: "granted",
        secondFactor: decision.secondFactor,
      });
      this.stats.granted++;
      // A card at an outlet's reader is a charging session's (the outlets act on the event), not an entry.
      if (!outlet) {
        this.door.grant();
        if (this.settings.antiPassbackMs > 0 && direction === "in") this.rememberEntry(read.credential, now);
        if (decision.secondFactor === "pin") this.pinsTyped.delete(e.personId); // one PIN, one entry
        this.deps.onGrant?.(e.role);
      }
    } else {
      this.bus.emit("access.denied", {
        ...base,
        reason: decision.reason,
        ...(decision.entry ? { personId: decision.entry.personId } : {}),
      });
      this.stats.denied[decision.reason] = (this.stats.denied[decision.reason] ?? 0) + 1;
    }
    const lockedOut = this.updateLockout(reader, rs, decision, now, repeat);
    // A PIN held as the second factor waits for its card: no deny beep to send the worker away.
    const awaitingCard = decision.reason === "pin-only-refused" && decision.entry !== undefined;
    if (!awaitingCard || lockedOut)
      reader.signal(lockedOut ? "lockout" : decision.granted ? "grant" : "deny");
    this.log.info(
      { readerId: read.readerId, cred: read.credential.slice(0, 12), reason: decision.reason },
      decision.granted ? "access granted" : "access denied",
    );
  }

  /**
   * A PIN typed on its own: too short to be worth its guesses, or not accepted alone at all
   * unless the station file says so. Checked before the store is asked, so a short PIN that
   * happens to be enrolled is refused too.
   */
  /** New rules from a live config change, whole: the next read is decided by them. */
  reconfigure(settings: AccessSettings): void {
    this.settings = settings;
  }

  /**
   * During a credential key rotation a read also carries its hash under the next key: the one
   * the store knows stands for the card from here on (passback, lockout, the journal).
   */
  private underKnownKey(read: CredentialRead): CredentialRead {
    if (!read.alternates || read.alternates.length === 0 || this.store.lookup(read.credential)) return read;
    const known = read.alternates.find((c) => this.store.lookup(c) !== undefined);
    return known ? { ...read, credential: known } : read;
  }

  private refusePin(read: CredentialRead, now: number): Decision | undefined {
    if (read.kind !== "keypad") return undefined;
    const digits = Number(/^pin-(\d+)$/.exec(read.format)?.[1] ?? 0);
    if (digits < this.settings.pins.minLength) return { granted: false, reason: "pin-too-short" };
    if (this.settings.pins.allowPinOnly) return undefined;
    // Not a credential on its own: a known PIN becomes the second factor of that person's card
    // for a while; an unknown one is a wrong guess like an unknown card.
    const entry = this.store.lookup(read.credential);
    if (entry?.status !== "active") return { granted: false, reason: "unknown" };
    this.rememberPin(entry.personId, now);
    return { granted: false, reason: "pin-only-refused", entry };
  }

  private rememberPin(personId: string, now: number): void {
    this.pinsTyped.delete(personId);
    this.pinsTyped.set(personId, now);
    for (const [p, at] of this.pinsTyped) {
      if (now - at < this.settings.pins.secondFactorWindowMs) break;
      this.pinsTyped.delete(p);
    }
  }

  private pinTyped(personId: string, now: number): boolean {
    const at = this.pinsTyped.get(personId);
    return at !== undefined && now - at < this.settings.pins.secondFactorWindowMs;
  }

  private decide(read: CredentialRead, rs: ReaderState, now: number, direction: "in" | "out"): Decision {
    const entry = this.store.lookup(read.credential);
    const wall = this.deps.clock.now();
    const s = this.settings;
    return decide({
      entry,
      now: wall,
      timeQuality: this.deps.timeQuality(),
      localTime: () => localTime(wall, s.timezone),
      schedules: s.schedules,
      holidays: s.holidays,
      readerLockedOut: isLockedOut(rs.lockout, now),
      passbackActive:
        this.passbackActive(read.credential, now) || this.deps.occupancy.isInside?.(read.credential) === true,
      direction,
      occupancy: this.deps.occupancy.current(),
      capacity: s.capacity,
      face:
        entry?.secondFactor !== true
          ? "not-verified"
          : this.deps.face.status() === "down"
            ? "module-down"
            : this.deps.face.verified(entry.personId, s.faceWindowMs)
              ? "verified"
              : "not-verified",
      faceDownPolicy: s.faceDownPolicy,
      pin: entry?.secondFactor === true && this.pinTyped(entry.personId, now),
    });
  }

  private passbackActive(credential: string, now: number): boolean {
    const at = this.entries.get(credential);
    return at !== undefined && now - at < this.settings.antiPassbackMs;
  }

  private rememberEntry(credential: string, now: number): void {
    this.entries.delete(credential);
    this.entries.set(credential, now);
    // Oldest first: drop what fell out of the window, so the map stays as small as the traffic.
    for (const [c, at] of this.entries) {
      if (now - at < this.settings.antiPassbackMs) break;
      this.entries.delete(c);
    }
  }

  private updateLockout(
    reader: CardReader,
    rs: ReaderState,
    d: Decision,
    now: number,
    repeat: boolean,
  ): boolean {
    const counts = !d.granted && !repeat && COUNTS_TOWARDS_LOCKOUT.has(d.reason);
    const r = afterDecision(rs.lockout, { granted: d.granted, counts }, now, this.settings.lockout);
    rs.lockout = r.state;
    if (r.outcome !== "locked-out") return isLockedOut(rs.lockout, now);
    const { threshold, cooldownMs } = this.settings.lockout;
    this.bus.emit("alarm.raised", {
      alarm: "lockout",
      source: reader.id,
      detail: `${threshold} consecutive refused reads; reader locked out for ${Math.round(cooldownMs / 1000)} s`,
    });
    this.log.warn({ readerId: reader.id, threshold, cooldownMs }, "reader locked out");
    this.armCooldown(reader, rs, cooldownMs);
    return true;
  }

  private onStatus(status: ReaderStatus): void {
    if (status.type === "unsupported-card") {
      this.bus.emit("reader.unsupported-card", { readerId: status.readerId, detail: status.detail });
      return;
    }
    const rs = this.readerState.get(status.readerId);
    const online = status.type === "online";
    const detail = status.detail === undefined ? {} : { detail: status.detail };
    this.bus.emit(`reader.${status.type}`, { readerId: status.readerId, ...detail });
    if (!rs) return;
    rs.online = online;
    if (!online && !rs.offlineAlarm) {
      rs.offlineAlarm = true;
      this.bus.emit("alarm.raised", { alarm: "reader-offline", source: status.readerId, ...detail });
    } else if (online && rs.offlineAlarm) {
      rs.offlineAlarm = false;
      this.bus.emit("alarm.cleared", { alarm: "reader-offline", source: status.readerId });
    }
  }
}
