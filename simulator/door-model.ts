import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../device/ports/clock.ts";
import { Listeners } from "../device/ports/listeners.ts";
import type { SimInputLine, SimOutputLine } from "./gpio-lines.ts";

export type LockKind = "fail-secure" | "fail-safe";

export interface DoorPhysics {
  /** the leaf is open (contact broken) */
  open: boolean;
  /** the bolt or magnet actually holds the leaf */
  lockEngaged: boolean;
  /** whether the lock relay is energised */
  relayEnergised: boolean;
  /** someone holds the leaf open */
  heldOpen: boolean;
  /** a fault: the leaf cannot close, or the lock is stuck where it is */
  jam: DoorJam;
  /** a fault of the contact: it no longer follows the leaf */
  contactFault: ContactFault;
}

export type DoorJam = "none" | "leaf" | "lock";

/**
 * A fault of the door contact itself: `stuck-closed` reads closed whatever the leaf does (a
 * bridged or welded contact, a magnet glued to the sensor), `cut` reads open (the wire of a
 * normally-closed loop cut or pulled out).
 */
export type ContactFault = "none" | "stuck-closed" | "cut";

export interface DoorModelOptions {
  lockKind: LockKind;
  /** how long the door closer takes to swing the leaf shut after it is let go */
  swingShutMs: number;
}

/**
 * The physical door: a leaf with a closer, a contact and an electric lock on a relay.
 * A strike (fail-secure) holds while unpowered; a maglock (fail-safe) holds only while powered.
 * The leaf opens only when the lock is released and someone pushes, or when it is forced.
 */
export class DoorModel {
  private readonly changes = new Listeners<DoorPhysics>();
  private open = false;
  private heldOpen = false;
  private jammed: DoorJam = "none";
  private contactFault: ContactFault = "none";
  private stuckEngaged = true;
  private closeTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly relay: SimOutputLine,
    private readonly contact: SimInputLine,
    private readonly clock: Clock,
    private readonly opts: DoorModelOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.applyContact();
    this.unsubscribe = this.relay.onChange(() => this.report("relay"));
    this.report("start");
  }

  stop(): void {
    this.unsubscribe?.();
    this.clock.clearTimeout(this.closeTimer);
    this.report("stop");
  }

  physics(): DoorPhysics {
    return {
      open: this.open,
      lockEngaged: this.lockEngaged(),
      relayEnergised: this.relay.read(),
      heldOpen: this.heldOpen,
      jam: this.jammed,
      contactFault: this.contactFault,
    };
  }

  /** Break the door contact (or mend it): from now on it reads what the fault says. */
  breakContact(fault: ContactFault): void {
    this.contactFault = fault;
    this.applyContact();
    this.report(fault === "none" ? "door contact mended" : `door contact fault: ${fault}`);
  }

  /** Inject a fault: a leaf that will not close (a wedge, a broken closer) or a lock stuck in place. */
  jam(kind: DoorJam): void {
    if (kind === "lock") this.stuckEngaged = this.lockEngaged();
    this.jammed = kind;
    this.report(kind === "none" ? "fault cleared" : `jammed: ${kind}`);
    if (kind === "none" && this.open && !this.heldOpen) this.scheduleClose();
  }

  onChange(listener: (p: DoorPhysics) => void): () => void {
    return this.changes.add(listener);
  }

  /** Push the leaf: it opens only if the lock is released; the closer shuts it again. */
  push(): boolean {
    if (this.open) return true;
    if (this.lockEngaged()) {
      this.log.info({ door: this.physics() }, "door pushed while locked: it does not move");
      return false;
    }
    this.setOpen(true, "pushed");
    this.scheduleClose();
    return true;
  }

  /** Force the leaf open against the lock (a break-in, or a lock that failed to hold). */
  force(): void {
    if (this.open) return;
    this.setOpen(true, "forced");
    this.scheduleClose();
  }

  /** Someone stands in the doorway holding it open; `release` lets the closer act. */
  hold(): boolean {
    if (!this.open && !this.push()) return false;
    this.heldOpen = true;
    this.clock.clearTimeout(this.closeTimer);
    this.report("held open");
    return true;
  }

  release(): void {
    if (!this.heldOpen) return;
    this.heldOpen = false;
    this.scheduleClose();
    this.report("let go");
  }

  private lockEngaged(): boolean {
    if (this.jammed === "lock") return this.stuckEngaged;
    const energised = this.relay.read();
    return this.opts.lockKind === "fail-secure" ? !energised : energised;
  }

  private scheduleClose(): void {
    this.clock.clearTimeout(this.closeTimer);
    this.closeTimer = this.clock.setTimeout(() => {
      this.closeTimer = undefined;
      if (!this.heldOpen && this.jammed !== "leaf") this.setOpen(false, "closer swung it shut");
    }, this.opts.swingShutMs);
  }

  private setOpen(open: boolean, why: string): void {
    this.open = open;
    this.applyContact();
    this.report(why);
  }

  private applyContact(): void {
    const f = this.contactFault;
    this.contact.set(f === "stuck-closed" ? true : f === "cut" ? false : !this.open);
  }

  private report(why: string): void {
    const p = this.physics();
    this.log.info({ door: p, lock: p.lockEngaged ? "locked" : "released" }, `door model: ${why}`);
    this.changes.emit(p);
  }
}
