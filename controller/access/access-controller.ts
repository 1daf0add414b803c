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
}

export interface AccessDeps {
  readonly clock: Clock;
  readonly timeQuality: () => TimeQuality;
  readonly occupancy: OccupancyFigure;
  readonly face: SecondFactor;
  /** told about every grant (first-card passage rule) */
  readonly onGrant?: (role: Role) => void;
}

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
  readonly stats: AccessStats = { granted: 0, denied: {}, suppressed: 0 };

  private readonly readers: CardReader[];

  constructor(
    readers: readonly CardReader[],
    private readonly store: CredentialStore,
    private readonly door: Door,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly settings: AccessSettings,
    private readonly deps: AccessDeps,
  ) {
    this.readers = [...readers];
  }

  /** A reader another subsystem provides (the face entry), added before start(). */
  addReader(reader: CardReader): void {
    this.readers.push(reader);
  }

  async start(): Promise<void> {
    for (const reader of this.readers) {
      this.readerState.set(reader.id, {
        online: false,
        offlineAlarm: false,
        lockout: NO_LOCKOUT,
        cooldown: undefined,
        last: undefined,
      });
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

  readerStates(): Record<string, { status: "online" | "offline"; lockedOut: boolean }> {
    const now = this.deps.clock.monotonic();
    return Object.fromEntries(
      [...this.readerState].map(([id, s]) => [
        id,
        { status: s.online ? "online" : "offline", lockedOut: isLockedOut(s.lockout, now) },
      ]),
    );
  }

  onRead(reader: CardReader, read: CredentialRead): void {
    const rs = this.readerState.get(reader.id);
    if (!rs) return;
    const now = this.deps.clock.monotonic();
    if (
      rs.last &&
      rs.last.credential === read.credential &&
      now - rs.last.atMs < this.settings.rereadSuppressMs
    ) {
      // The same card still on the reader, or tapped twice: one decision is enough.
      rs.last = { credential: read.credential, atMs: now };
      this.stats.suppressed++;
      return;
    }
    rs.last = { credential: read.credential, atMs: now };

    const decision = this.decide(read, rs, now);
    const base = {
      readerId: read.readerId,
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
      this.door.grant();
      this.stats.granted++;
      if (this.settings.antiPassbackMs > 0) this.rememberEntry(read.credential, now);
      this.deps.onGrant?.(e.role);
    } else {
      this.bus.emit("access.denied", {
        ...base,
        reason: decision.reason,
        ...(decision.entry ? { personId: decision.entry.personId } : {}),
      });
      this.stats.denied[decision.reason] = (this.stats.denied[decision.reason] ?? 0) + 1;
    }
    const lockedOut = this.updateLockout(reader, rs, decision, now);
    reader.signal(lockedOut ? "lockout" : decision.granted ? "grant" : "deny");
    this.log.info(
      { readerId: read.readerId, cred: read.credential.slice(0, 12), reason: decision.reason },
      decision.granted ? "access granted" : "access denied",
    );
  }

  private decide(read: CredentialRead, rs: ReaderState, now: number): Decision {
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
      passbackActive: this.passbackActive(read.credential, now),
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

  private updateLockout(reader: CardReader, rs: ReaderState, d: Decision, now: number): boolean {
    const counts = !d.granted && COUNTS_TOWARDS_LOCKOUT.has(d.reason);
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
    rs.cooldown = this.deps.clock.setTimeout(() => {
      rs.cooldown = undefined;
      const c = afterCooldown(rs.lockout, this.deps.clock.monotonic());
      rs.lockout = c.state;
      if (c.outcome === "cleared") this.bus.emit("alarm.cleared", { alarm: "lockout", source: reader.id });
    }, cooldownMs);
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
