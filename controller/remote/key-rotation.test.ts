import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { newStationKeyDer } from "../../config/secrets.ts";
import { createRotatingHasher, credentialKeyFingerprint } from "../../device/identity/hasher.ts";
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
  return { rotation, hasher, fps };
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
});
