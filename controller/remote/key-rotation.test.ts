import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { newStationKeyDer } from "../../config/secrets.ts";
import { createRotatingHasher, credentialKeyFingerprint } from "../../device/identity/hasher.ts";
import { SqliteCredentialStore } from "../access/sqlite-credential-store.ts";
import { CredentialLists } from "../credentials/credential-lists.ts";
import { KeyRotation } from "./key-rotation.ts";
import { sealCredentialKey, stationPublicKey } from "./sealed-key.ts";

const uid = Buffer.from("04a1b2c3", "hex");

function rig(
  credentialKey: string,
  stationKey: string,
  dataDir: string,
  list: { fingerprint: string | undefined; count: number } = { fingerprint: undefined, count: 0 },
  busy = { taken: false },
) {
  const fps: { current?: string; next?: string } = {};
  const store = {
    keyFingerprints: () => fps,
    setKeyFingerprints(current: string, next: string | undefined) {
      fps.current = current;
      if (next) fps.next = next;
      else delete fps.next;
    },
    centralListKey: () => list,
    exclusive: <T>(fn: () => T): T => {
      if (busy.taken) throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      return fn();
    },
  };
  const hasher = createRotatingHasher(credentialKey);
  const rotation = new KeyRotation({
    stationId: "st-1",
    dataDir,
    secretsFile: join(dataDir, "secrets.yaml"),
    credentialKey,
    stationKey,
    hasher,
    store,
    log: pino({ level: "silent" }),
  });
  return { rotation, hasher, fps, store };
}

describe("credential key rotation after a stop in the middle", () => {
  const stationKey = newStationKeyDer();
  const oldKey = randomBytes(32).toString("hex");
  const nextKey = randomBytes(32).toString("hex");
  const sealed = sealCredentialKey("st-1", stationPublicKey(stationKey), nextKey);

  const pending = (dir: string) =>
    writeFileSync(
      join(dir, "credential-key-rotation.json"),
      JSON.stringify({
        fingerprint: credentialKeyFingerprint(nextKey),
        sealed,
        since: "2026-12-01T00:00:00Z",
      }),
    );

  it("a window reopens at start: both keys hash", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-"));
    pending(dir);
    const { rotation, hasher } = rig(oldKey, stationKey, dir);
    rotation.recover();
    expect(rotation.status().next).toBe(credentialKeyFingerprint(nextKey));
    expect(hasher.alternates("card-uid", uid)).toHaveLength(1);
  });

  it("stopped after the secrets file took the new key: the rotation is finished, not reopened", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-"));
    pending(dir);
    const { rotation, hasher, fps } = rig(nextKey, stationKey, dir);
    rotation.recover();
    expect(rotation.status()).toMatchObject({ current: credentialKeyFingerprint(nextKey), next: null });
    expect(fps).toEqual({ current: credentialKeyFingerprint(nextKey) });
    expect(hasher.alternates("card-uid", uid)).toEqual([]);
    expect(existsSync(join(dir, "credential-key-rotation.json"))).toBe(false);
  });
});

describe("credential-key-rotate keeps the key the central list is hashed under", () => {
  const stationKey = newStationKeyDer();
  const oldKey = randomBytes(32).toString("hex");
  const nextKey = randomBytes(32).toString("hex");
  const oldFp = credentialKeyFingerprint(oldKey);
  const nextFp = credentialKeyFingerprint(nextKey);
  const ctx = { principal: { kind: "central", keyId: "central-a" } } as const;

  function begun(list: { fingerprint: string | undefined; count: number }) {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-"));
    writeFileSync(join(dir, "secrets.yaml"), `credentialKey: ${oldKey}\n`, { mode: 0o600 });
    const r = rig(oldKey, stationKey, dir, list);
    const events: { type: string; payload: Record<string, unknown> }[] = [];
    const bus = { emit: (type: string, payload: Record<string, unknown>) => events.push({ type, payload }) };
    const [cmd] = r.rotation.commands(
      () => Date.parse("2026-12-02T06:00:00Z"),
      () => bus as never,
    );
    if (!cmd) throw new Error("no command");
    const run = (args: Record<string, unknown>) => cmd.run(cmd.args.parse(args), ctx);
    return { ...r, dir, events, run };
  }

  const sealed = () => sealCredentialKey("st-1", stationPublicKey(stationKey), nextKey);

  it("complete is refused while the list is under the old key; with force it goes, audited", async () => {
    const list = { fingerprint: oldFp as string | undefined, count: 3 };
    const t = begun(list);
    expect(await t.run({ action: "begin", fingerprint: nextFp, sealed: sealed() })).toMatchObject({
      status: "ok",
    });
    expect(t.events).toEqual([
      {
        type: "credentials.key-rotation",
        payload: {
          phase: "begun",
          old: oldFp,
          new: nextFp,
          listKeyFingerprint: oldFp,
          forced: false,
          principal: "central:central-a",
        },
      },
    ]);
    const refused = await t.run({ action: "complete", fingerprint: nextFp });
    expect(refused).toMatchObject({ status: "error", code: "LIST_KEY_IN_USE", data: { request: "full" } });
    expect(t.rotation.status().next).toBe(nextFp);
    expect(readFileSync(join(t.dir, "secrets.yaml"), "utf8")).toContain(oldKey);
    expect(t.events).toHaveLength(1);
    // the centre re-sent its list under the next key: complete goes through
    list.fingerprint = nextFp;
    expect(await t.run({ action: "complete", fingerprint: nextFp })).toMatchObject({
      status: "ok",
      data: { current: nextFp, next: null },
    });
    expect(t.events[1]?.payload).toMatchObject({
      phase: "completed",
      old: oldFp,
      new: nextFp,
      forced: false,
    });
    expect(JSON.stringify(t.events)).not.toContain(nextKey);
    expect(JSON.stringify(t.events)).not.toContain(oldKey);
  });

  it("rollback is refused while the list is under the next key; force drops it anyway", async () => {
    const t = begun({ fingerprint: nextFp, count: 2 });
    await t.run({ action: "begin", fingerprint: nextFp, sealed: sealed() });
    expect(await t.run({ action: "rollback" })).toMatchObject({ code: "LIST_KEY_IN_USE" });
    expect(t.rotation.status().next).toBe(nextFp);
    expect(await t.run({ action: "rollback", force: true })).toMatchObject({
      status: "ok",
      data: { next: null },
    });
    expect(t.events.at(-1)?.payload).toMatchObject({ phase: "rolled-back", new: nextFp, forced: true });
  });

  it("a complete with the wrong fingerprint says so before anything about the list", async () => {
    const t = begun({ fingerprint: oldFp, count: 1 });
    await t.run({ action: "begin", fingerprint: nextFp, sealed: sealed() });
    expect(await t.run({ action: "complete", fingerprint: oldFp })).toMatchObject({
      code: "KEY_FINGERPRINT_MISMATCH",
    });
  });

  it("while a list apply holds the store's write lock: LIST_BUSY, the secrets file and window as they were", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-"));
    writeFileSync(join(dir, "secrets.yaml"), `credentialKey: ${oldKey}\n`, { mode: 0o600 });
    const busy = { taken: false };
    const { rotation } = rig(oldKey, stationKey, dir, { fingerprint: nextFp, count: 1 }, busy);
    const [cmd] = rotation.commands(() => Date.parse("2026-12-02T06:00:00Z"));
    if (!cmd) throw new Error("no command");
    const run = (args: Record<string, unknown>) => cmd.run(cmd.args.parse(args), ctx);
    await run({ action: "begin", fingerprint: nextFp, sealed: sealed() });
    busy.taken = true;
    expect(await run({ action: "complete", fingerprint: nextFp })).toMatchObject({ code: "LIST_BUSY" });
    expect(readFileSync(join(dir, "secrets.yaml"), "utf8")).toContain(oldKey);
    expect(rotation.status().next).toBe(nextFp);
    busy.taken = false;
    expect(await run({ action: "complete", fingerprint: nextFp })).toMatchObject({ status: "ok" });
  });

  it("a complete a stop interrupted after the secrets file took the key: finished at start, with the complete's event", async () => {
    // the event of a complete that ran through
    const normal = begun({ fingerprint: nextFp, count: 2 });
    await normal.run({ action: "begin", fingerprint: nextFp, sealed: sealed() });
    await normal.run({ action: "complete", fingerprint: nextFp });
    const completed = normal.events.at(-1);
    expect(completed?.payload).toMatchObject({ phase: "completed", principal: "central:central-a" });
    // the same, with the process gone between the secrets file and the store's record
    const list = { fingerprint: nextFp as string | undefined, count: 2 };
    const t = begun(list);
    await t.run({ action: "begin", fingerprint: nextFp, sealed: sealed() });
    t.store.setKeyFingerprints = () => {
      throw new Error("power cut");
    };
    await expect(t.run({ action: "complete", fingerprint: nextFp })).rejects.toThrow("power cut");
    expect(readFileSync(join(t.dir, "secrets.yaml"), "utf8")).toContain(nextKey);
    expect(t.events.map((e) => e.payload.phase)).toEqual(["begun"]);
    // the next start: the secrets file holds the next key
    const events: { type: string; payload: Record<string, unknown> }[] = [];
    const bus = { emit: (type: string, payload: Record<string, unknown>) => events.push({ type, payload }) };
    const restarted = rig(nextKey, stationKey, t.dir, list);
    restarted.rotation.recover();
    expect(restarted.fps).toEqual({ current: nextFp });
    expect(events).toEqual([]); // no bus yet: held
    restarted.rotation.announceRecovered(bus as never);
    restarted.rotation.announceRecovered(bus as never);
    expect(events).toEqual([completed]);
  });

  it("a window reopened at start sends nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-"));
    writeFileSync(
      join(dir, "credential-key-rotation.json"),
      JSON.stringify({ fingerprint: nextFp, sealed: sealed(), since: "2026-12-01T00:00:00Z" }),
    );
    const events: unknown[] = [];
    const { rotation } = rig(oldKey, stationKey, dir);
    rotation.recover();
    rotation.announceRecovered({ emit: (...a: unknown[]) => events.push(a) } as never);
    expect(rotation.status().next).toBe(nextFp);
    expect(events).toEqual([]);
  });
});

describe("credential-key-rotate on the real credential store", () => {
  const stationKey = newStationKeyDer();
  const oldKey = randomBytes(32).toString("hex");
  const nextKey = randomBytes(32).toString("hex");
  const oldFp = credentialKeyFingerprint(oldKey);
  const nextFp = credentialKeyFingerprint(nextKey);
  const ctx = { principal: { kind: "central", keyId: "central-a" } } as const;

  it("LIST_BUSY while a list apply holds the store's write lock; through once it is let go", {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-real-"));
    const file = join(dir, "credentials.db");
    writeFileSync(join(dir, "secrets.yaml"), `credentialKey: ${oldKey}\n`, { mode: 0o600 });
    const store = new SqliteCredentialStore(file);
    store.open();
    store.checkKeyFingerprint(oldFp);
    const lists = new CredentialLists(file);
    lists.open();
    const rotation = new KeyRotation({
      stationId: "st-1",
      dataDir: dir,
      secretsFile: join(dir, "secrets.yaml"),
      credentialKey: oldKey,
      stationKey,
      hasher: createRotatingHasher(oldKey),
      store,
      log: pino({ level: "silent" }),
    });
    const [cmd] = rotation.commands(() => Date.parse("2026-12-02T06:00:00Z"));
    if (!cmd) throw new Error("no command");
    const run = (args: Record<string, unknown>) => cmd.run(cmd.args.parse(args), ctx);
    const sealed = sealCredentialKey("st-1", stationPublicKey(stationKey), nextKey);
    expect(await run({ action: "begin", fingerprint: nextFp, sealed })).toMatchObject({ status: "ok" });
    // A list apply's transaction (list-apply.ts, IMMEDIATE, on its own connection in the list
    // worker) holds the file's write lock for as long as it runs: here it is held from a second
    // connection in the same way, for as long as the test needs.
    const apply = new Database(file);
    apply.exec("BEGIN IMMEDIATE");
    try {
      expect(await run({ action: "complete", fingerprint: nextFp })).toMatchObject({
        status: "error",
        code: "LIST_BUSY",
      });
      expect(readFileSync(join(dir, "secrets.yaml"), "utf8")).toContain(oldKey);
      expect(rotation.status().next).toBe(nextFp);
      expect(lists.status().keyFingerprint).toBeNull();
    } finally {
      apply.exec("ROLLBACK");
      apply.close();
    }
    expect(store.keyFingerprints()).toEqual({ current: oldFp, next: nextFp });
    expect(await run({ action: "complete", fingerprint: nextFp })).toMatchObject({
      status: "ok",
      data: { current: nextFp, next: null },
    });
    expect(store.keyFingerprints()).toEqual({ current: nextFp });
    expect(readFileSync(join(dir, "secrets.yaml"), "utf8")).toContain(nextKey);
    lists.close();
    store.close();
  });
});
