import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { replaceCredentialKey } from "../../config/secrets.ts";
import { credentialKeyFingerprint, type RotatingHasher } from "../../device/identity/hasher.ts";
import type { EventBus } from "../events/event-bus.ts";
import { readFileIfExists, writeFileDurably } from "../persist/durable-file.ts";
import { principalName } from "../principal.ts";
import { type CommandResult, type CommandSpec, defineCommand, type Principal } from "../subsystem.ts";
import { openSealedKey, type SealedKey, SealedKeySchema, stationPublicKey } from "./sealed-key.ts";

/** What the credential store keeps about the key its hashes were made with. */
export interface KeyFingerprintStore {
  keyFingerprints(): { current?: string; next?: string };
  setKeyFingerprints(current: string, next: string | undefined): void;
  /** the key the central list is hashed under, and its size (0: no central list) */
  centralListKey(): { fingerprint: string | undefined; count: number };
  /** `fn` under the store's write lock; throws an error with code SQLITE_BUSY when it stays taken */
  exclusive<T>(fn: () => T): T;
}

export interface KeyRotationDeps {
  stationId: string;
  dataDir: string;
  secretsFile: string;
  credentialKey: string;
  stationKey: string | undefined;
  hasher: RotatingHasher;
  store: KeyFingerprintStore | undefined;
  log: Logger;
}

interface Pending {
  fingerprint: string;
  sealed: SealedKey;
  since: string;
  /** written just before `complete` replaces the key in the secrets file: its audit, for a restart */
  completing?: Completing;
}

/** What the `completed` event of a complete names, kept until the completion is finished. */
interface Completing {
  old: string;
  forced: boolean;
  principal: string;
}

const fingerprint = z.string().regex(/^[0-9a-f]{16}$/, "a credential key fingerprint: 16 hex digits");

export const KeyRotateArgs = z.discriminatedUnion("action", [
  z.object({ action: z.literal("status") }).strict(),
  z.object({ action: z.literal("begin"), fingerprint, sealed: SealedKeySchema }).strict(),
  z.object({ action: z.literal("complete"), fingerprint, force: z.boolean().default(false) }).strict(),
  z.object({ action: z.literal("rollback"), force: z.boolean().default(false) }).strict(),
]);

type Phase = "begun" | "completed" | "rolled-back";

/**
 * `credential-key-rotate`: a window in which cards hashed under the current and the next
 * credential key are both accepted, then the next key becomes the current one (or is dropped).
 * The next key arrives sealed to the station's own X25519 key and is kept on disk only sealed
 * (dataDir/credential-key-rotation.json); the centre re-sends its list under the next key during
 * the window, because a keyed hash cannot be re-keyed without the card number it came from.
 */
export class KeyRotation {
  private current: string;
  private next: string | undefined;
  private readonly file: string;
  /** a completion a stop interrupted and recover() finished: its event, once the bus is there */
  private recovered: (Completing & { new: string }) | undefined;

  constructor(private readonly deps: KeyRotationDeps) {
    this.current = deps.credentialKey;
    this.file = join(deps.dataDir, "credential-key-rotation.json");
  }

  /** At start: reopen a window, or finish a completion a stop interrupted. */
  recover(): void {
    const pending = this.pending();
    if (!pending || !this.deps.stationKey) return;
    const key = openSealedKey(this.deps.stationKey, this.deps.stationId, pending.sealed);
    if (!key) {
      this.deps.log.error("the sealed next credential key cannot be opened; the rotation is dropped");
      this.rollback();
      return;
    }
    if (key === this.current) {
      // The secrets file has the new key already: the last steps of `complete` remain, and the
      // event the completion would have sent (announceRecovered, once the bus is there).
      const old = pending.completing?.old ?? this.deps.store?.keyFingerprints().current;
      this.finish(key);
      if (old && old !== pending.fingerprint) {
        this.recovered = {
          old,
          new: pending.fingerprint,
          forced: pending.completing?.forced ?? false,
          principal: pending.completing?.principal ?? "station:recovery",
        };
      }
      return;
    }
    this.next = key;
    this.deps.hasher.setNext(key);
  }

  status(): { current: string; next: string | null; since: string | null; stationPublicKey: string | null } {
    return {
      current: credentialKeyFingerprint(this.current),
      next: this.next ? credentialKeyFingerprint(this.next) : null,
      since: this.pending()?.since ?? null,
      stationPublicKey: this.deps.stationKey ? stationPublicKey(this.deps.stationKey) : null,
    };
  }

  /**
   * The `completed` event of a completion that a stop interrupted and recover() finished: the
   * same event the complete would have sent (its principal and `forced` kept on disk for this).
   */
  announceRecovered(bus: EventBus): void {
    const r = this.recovered;
    if (!r) return;
    this.recovered = undefined;
    this.auditTo(bus, "completed", r.old, r.new, r.forced, r.principal);
  }

  private auditTo(
    bus: EventBus | undefined,
    phase: Phase,
    old: string,
    next: string,
    forced: boolean,
    principal: string,
  ) {
    bus?.emit("credentials.key-rotation", {
      phase,
      old,
      new: next,
      listKeyFingerprint: this.deps.store?.centralListKey().fingerprint ?? null,
      forced,
      principal,
    });
  }

  /** `events`: the station's bus, read when a command runs (the rotation is built before it). */
  commands(now: () => number, events?: () => EventBus): CommandSpec[] {
    const audit = (phase: Phase, old: string, next: string, forced: boolean, by: Principal) =>
      this.auditTo(events?.(), phase, old, next, forced, principalName(by));
    return [
      defineCommand({
        name: "credential-key-rotate",
        summary:
          "credential key rotation: begin (accept the current and a sealed next key), complete (the next becomes current), rollback, status",
        args: KeyRotateArgs,
        run: async (args, ctx) => {
          if (args.action === "status") return { status: "ok", data: this.status() };
          const old = credentialKeyFingerprint(this.current);
          if (args.action === "begin") {
            const r = this.begin(args.fingerprint, args.sealed, now());
            if (r.status === "ok") audit("begun", old, args.fingerprint, false, ctx.principal);
            return r;
          }
          const next = this.next;
          if (!next) return { status: "error", code: "NO_ROTATION" };
          const fp = credentialKeyFingerprint(next);
          if (args.action === "complete" && args.fingerprint !== fp)
            return { status: "error", code: "KEY_FINGERPRINT_MISMATCH", data: this.status() };
          // The key the central list is hashed under is not dropped unless the centre says so:
          // every central card would be refused until the next full list.
          const dropped = args.action === "complete" ? old : fp;
          let forced = false;
          let r: CommandResult;
          try {
            // Under the store's write lock: a list apply is not between the check and the change.
            r = this.exclusive(() => {
              const inUse = this.listUnder(dropped);
              if (inUse && !args.force) return inUse;
              forced = inUse !== undefined;
              if (args.action === "complete")
                return this.complete(args.fingerprint, {
                  old,
                  forced,
                  principal: principalName(ctx.principal),
                });
              this.rollback();
              return { status: "ok", data: this.status() };
            });
          } catch (err) {
            if ((err as { code?: unknown }).code !== "SQLITE_BUSY") throw err;
            return {
              status: "error",
              code: "LIST_BUSY",
              data: { detail: "a credential list is being applied; send this again after its reply" },
            };
          }
          if (r.status === "ok")
            audit(args.action === "complete" ? "completed" : "rolled-back", old, fp, forced, ctx.principal);
          return r;
        },
      }),
    ];
  }

  private exclusive(fn: () => CommandResult): CommandResult {
    const store = this.deps.store;
    return store ? store.exclusive(fn) : fn();
  }

  /** LIST_KEY_IN_USE when the central list is hashed under `fp`, the key about to be dropped. */
  private listUnder(fp: string): CommandResult | undefined {
    const list = this.deps.store?.centralListKey();
    if (!list || list.count === 0 || list.fingerprint !== fp) return undefined;
    return {
      status: "error",
      code: "LIST_KEY_IN_USE",
      data: {
        detail: `the central list (${list.count} entries) is hashed under key ${fp}, which this would drop: send the full list under the key that stays first, or repeat with "force": true`,
        listKeyFingerprint: fp,
        request: "full",
        ...this.status(),
      },
    };
  }

  private begin(fp: string, sealed: SealedKey, at: number): CommandResult {
    const stationKey = this.deps.stationKey;
    if (!stationKey)
      return {
        status: "error",
        code: "STATION_KEY_MISSING",
        data: {
          detail:
            "no stationKey in the secrets file, and the station could not add one at start (the file is not writable)",
          // no path in the reply: it goes to the centre (the station's log names the file)
          hint: 'let the service user write the secrets file and its directory and restart (the station adds the key), or add it there by hand: echo "stationKey: $(openssl genpkey -algorithm x25519 -outform DER | base64 -w0)" >> SECRETS_FILE',
        },
      };
    const key = openSealedKey(stationKey, this.deps.stationId, sealed);
    if (!key)
      return {
        status: "error",
        code: "SEALED_KEY_INVALID",
        data: { detail: "not sealed to this station's key" },
      };
    if (credentialKeyFingerprint(key) !== fp)
      return {
        status: "error",
        code: "KEY_FINGERPRINT_MISMATCH",
        data: { detail: "the sealed key has another fingerprint" },
      };
    if (key === this.current) return { status: "error", code: "SAME_KEY", data: this.status() };
    if (this.next && this.next !== key)
      return { status: "error", code: "ROTATION_IN_PROGRESS", data: this.status() };
    writeFileDurably(
      this.file,
      JSON.stringify({ fingerprint: fp, sealed, since: new Date(at).toISOString() }),
    );
    this.deps.store?.setKeyFingerprints(credentialKeyFingerprint(this.current), fp);
    this.next = key;
    this.deps.hasher.setNext(key);
    this.deps.log.warn(
      { current: credentialKeyFingerprint(this.current), next: fp },
      "credential key rotation begun",
    );
    return { status: "ok", data: this.status() };
  }

  private complete(fp: string, audit: Completing): CommandResult {
    const next = this.next;
    if (!next) return { status: "error", code: "NO_ROTATION" };
    if (credentialKeyFingerprint(next) !== fp)
      return { status: "error", code: "KEY_FINGERPRINT_MISMATCH", data: this.status() };
    // The audit first, so a start that finds the secrets file changed can send it; then the
    // secrets file (what the next start hashes with), then the store's record.
    this.keepAudit(audit);
    try {
      replaceCredentialKey(this.deps.secretsFile, next);
    } catch (err) {
      this.deps.log.error({ err }, "cannot write the new credential key to the secrets file");
      return {
        status: "error",
        code: "SECRETS_UNWRITABLE",
        data: { detail: "the secrets file cannot be written" },
      };
    }
    this.finish(next);
    return { status: "ok", data: this.status() };
  }

  /** Not kept (a data directory gone read-only) costs only the principal of a recovered event. */
  private keepAudit(audit: Completing): void {
    const pending = this.pending();
    if (!pending) return;
    try {
      writeFileDurably(this.file, JSON.stringify({ ...pending, completing: audit }));
    } catch (err) {
      this.deps.log.warn({ err }, "the completion's audit could not be kept for a restart");
    }
  }

  private finish(key: string): void {
    this.deps.store?.setKeyFingerprints(credentialKeyFingerprint(key), undefined);
    rmSync(this.file, { force: true });
    if (this.next) this.deps.hasher.promote();
    this.current = key;
    this.next = undefined;
    this.deps.log.warn({ current: credentialKeyFingerprint(key) }, "credential key rotation complete");
  }

  private rollback(): void {
    rmSync(this.file, { force: true });
    this.deps.store?.setKeyFingerprints(credentialKeyFingerprint(this.current), undefined);
    this.deps.hasher.setNext(undefined);
    this.next = undefined;
    this.deps.log.warn(
      { current: credentialKeyFingerprint(this.current) },
      "credential key rotation rolled back",
    );
  }

  private pending(): Pending | undefined {
    const text = readFileIfExists(this.file);
    if (!text) return undefined;
    try {
      const v = JSON.parse(text) as Pending;
      const sealed = SealedKeySchema.safeParse(v.sealed);
      return sealed.success ? { ...v, sealed: sealed.data } : undefined;
    } catch {
      return undefined;
    }
  }
}
