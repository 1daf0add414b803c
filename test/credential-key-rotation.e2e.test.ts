import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSecretsFile, replaceCredentialKey } from "../config/secrets.ts";
import type { ListEntry } from "../controller/contract/command-wire.ts";
import { sealCredentialKey, stationPublicKey } from "../controller/remote/sealed-key.ts";
import {
  createIdentifierHasher,
  credentialKeyFingerprint,
  parseHexIdentifier,
} from "../device/identity/hasher.ts";
import { listEnvelopes, listHash } from "../scripts/central/lists.ts";
import { commandEnvelope, signEnvelope } from "../scripts/central/sign.ts";
import { mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { newKey, pinLine, STATION, useRemoteRig } from "./support/remote-station.ts";
import { waitFor } from "./support/wait.ts";

/**
 * `credential-key-rotate` over a real Mosquitto into a real `waystation run`: a card hashed under
 * the next key opens the door during the window, no longer after a rollback, and for good after
 * the rotation completed — across a restart, with the old key's cards refused.
 */
describe("credential key rotation over a real Mosquitto", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const { station, central } = useRemoteRig(() => [pinLine(a.kid, a.publicKey), pinLine(b.kid, b.publicKey)]);
  const a = newKey("central-a");
  const b = newKey("central-b");
  const nextKey = randomBytes(32).toString("hex");
  const uid = (u: string) => parseHexIdentifier(u) ?? new Uint8Array();
  let current: string;
  let version = 0;

  beforeAll(() => {
    current = loadSecretsFile(join(station.dir, "secrets.yaml")).credentialKey;
  });

  const rotate = (args: Record<string, unknown>) =>
    central.command(a, commandEnvelope({ station: STATION, name: "credential-key-rotate", args }));

  /** A full list with one card: `who`, hashed under `key` (and named so). */
  async function pushList(key: string, card: string, who: string, expected = "OK") {
    const entries: ListEntry[] = [
      {
        credential: createIdentifierHasher(key)("card-uid", uid(card)),
        personId: who,
        role: "worker",
        status: "active",
        secondFactor: false,
      },
    ];
    if (expected === "OK") version++;
    const [env] = listEnvelopes({
      keyFingerprint: credentialKeyFingerprint(key),
      station: STATION,
      type: "full",
      listVersion: expected === "OK" ? version : version + 1,
      entries,
      listHash: listHash(entries),
      perChunk: 10,
    });
    if (!env) throw new Error("no envelope");
    await central.publish("", signEnvelope(env, b));
    const reply = await central.reply(env.id);
    expect(reply).toMatchObject({ code: expected });
    return reply;
  }

  async function decision(card: string): Promise<{ type: string; personId?: unknown; reason?: unknown }> {
    const from = central.events.length;
    await station.sim("tap", { uid: card });
    return waitFor(
      () =>
        central.events.slice(from).find((e) => e.type === "access.granted" || e.type === "access.denied") as
          | { type: string; personId?: unknown; reason?: unknown }
          | undefined,
      `a decision on ${card}`,
      10_000,
    );
  }

  it("status names the current key and the station's public key; nothing is rotating", async () => {
    const r = await rotate({ action: "status" });
    expect(r).toMatchObject({
      status: "ok",
      data: { current: credentialKeyFingerprint(current), next: null, stationPublicKey: expect.any(String) },
    });
  });

  it("a secrets file from before stationKey existed gets one at start; status then offers it", async () => {
    const file = join(station.dir, "secrets.yaml");
    await station.stop();
    const old = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("stationKey:"))
      .join("\n");
    writeFileSync(file, old, { mode: 0o600 });
    expect(loadSecretsFile(file).stationKey).toBeUndefined();
    await station.start();
    const added = loadSecretsFile(file);
    expect(added.stationKey).toBeDefined();
    expect(added.credentialKey).toBe(current);
    const r = await rotate({ action: "status" });
    expect(r).toMatchObject({
      status: "ok",
      data: { stationPublicKey: stationPublicKey(added.stationKey as string) },
    });
  }, 30_000);

  it("a key sealed to another station, or under a wrong fingerprint, is refused and changes nothing", async () => {
    const pub = String(
      ((await rotate({ action: "status" })).data as { stationPublicKey: string }).stationPublicKey,
    );
    const elsewhere = sealCredentialKey("other-station", pub, nextKey);
    expect(
      await rotate({ action: "begin", fingerprint: credentialKeyFingerprint(nextKey), sealed: elsewhere }),
    ).toMatchObject({
      status: "error",
      code: "SEALED_KEY_INVALID",
    });
    const sealed = sealCredentialKey(STATION, pub, nextKey);
    expect(
      await rotate({ action: "begin", fingerprint: credentialKeyFingerprint(current), sealed }),
    ).toMatchObject({
      status: "error",
      code: "KEY_FINGERPRINT_MISMATCH",
    });
    expect((await rotate({ action: "status" })).data).toMatchObject({ next: null });
    expect(
      await rotate({ action: "complete", fingerprint: credentialKeyFingerprint(nextKey) }),
    ).toMatchObject({
      code: "NO_ROTATION",
    });
  });

  it("during the window a card under the next key opens; after a rollback it is refused", async () => {
    // a list under a key the station does not hold: refused, with its reason, and nothing moves
    const refused = await pushList(nextKey, "04CC0001", "next-p1", "LIST_KEY_UNKNOWN");
    expect(refused).toMatchObject({ status: "error", data: { current: credentialKeyFingerprint(current) } });
    await central.event("credentials.list-rejected", (e) => e.code === "LIST_KEY_UNKNOWN");
    expect(await decision("04CC0001")).toMatchObject({ type: "access.denied" });
    const pub = String(
      ((await rotate({ action: "status" })).data as { stationPublicKey: string }).stationPublicKey,
    );
    const begun = await rotate({
      action: "begin",
      fingerprint: credentialKeyFingerprint(nextKey),
      sealed: sealCredentialKey(STATION, pub, nextKey),
    });
    expect(begun).toMatchObject({ status: "ok", data: { next: credentialKeyFingerprint(nextKey) } });
    const began = await central.event("credentials.key-rotation", (e) => e.phase === "begun");
    expect(began).toMatchObject({
      old: credentialKeyFingerprint(current),
      new: credentialKeyFingerprint(nextKey),
      principal: `central:${a.kid}`,
    });
    expect(JSON.stringify(began)).not.toContain(nextKey);
    await pushList(nextKey, "04CC0001", "next-p1");
    // the sealed key is what is kept on disk, never the key itself
    expect(readFileSync(join(station.dir, "data", "credential-key-rotation.json"), "utf8")).not.toContain(
      nextKey,
    );
    expect(await decision("04CC0001")).toMatchObject({ type: "access.granted", personId: "next-p1" });
    // the central list is under the next key: a rollback would strand it, unless forced
    expect(await rotate({ action: "rollback" })).toMatchObject({ status: "error", code: "LIST_KEY_IN_USE" });
    expect(await rotate({ action: "rollback", force: true })).toMatchObject({
      status: "ok",
      data: { next: null },
    });
    await central.event("credentials.key-rotation", (e) => e.phase === "rolled-back" && e.forced === true);
    expect(await decision("04CC0001")).toMatchObject({ type: "access.denied" });
    await pushList(current, "04CC0009", "old-p9");
  });

  it("the window survives a restart; complete makes the next key current, for good", async () => {
    const pub = String(
      ((await rotate({ action: "status" })).data as { stationPublicKey: string }).stationPublicKey,
    );
    await pushList(current, "04CC0002", "old-p2");
    expect(await decision("04CC0002")).toMatchObject({ type: "access.granted", personId: "old-p2" });
    expect(
      await rotate({
        action: "begin",
        fingerprint: credentialKeyFingerprint(nextKey),
        sealed: sealCredentialKey(STATION, pub, nextKey),
      }),
    ).toMatchObject({ status: "ok" });
    await station.stop();
    await station.start();
    expect((await rotate({ action: "status" })).data).toMatchObject({
      next: credentialKeyFingerprint(nextKey),
    });
    // Both keys during the window: the old list's card, then the centre's list under the next key.
    expect(await decision("04CC0002")).toMatchObject({ type: "access.granted" });
    // the list is still under the current key: completing would strand it
    expect(
      await rotate({ action: "complete", fingerprint: credentialKeyFingerprint(nextKey) }),
    ).toMatchObject({ code: "LIST_KEY_IN_USE", data: { request: "full" } });
    await pushList(nextKey, "04CC0001", "next-p1");
    expect(await decision("04CC0001")).toMatchObject({ type: "access.granted", personId: "next-p1" });
    expect(
      await rotate({ action: "complete", fingerprint: credentialKeyFingerprint(current) }),
    ).toMatchObject({
      code: "KEY_FINGERPRINT_MISMATCH",
    });
    expect(
      await rotate({ action: "complete", fingerprint: credentialKeyFingerprint(nextKey) }),
    ).toMatchObject({
      status: "ok",
      data: { current: credentialKeyFingerprint(nextKey), next: null },
    });
    expect(loadSecretsFile(join(station.dir, "secrets.yaml")).credentialKey).toBe(nextKey);
    await station.stop();
    await station.start();
    expect(await decision("04CC0001")).toMatchObject({ type: "access.granted", personId: "next-p1" });
    await central.event("credentials.key-rotation", (e) => e.phase === "completed");
    // a list under the old key is one the station no longer holds: refused
    await pushList(current, "04CC0003", "old-p3", "LIST_KEY_UNKNOWN");
    expect(await decision("04CC0003")).toMatchObject({ type: "access.denied" });
  }, 60_000);

  it("a complete cut short after the secrets file took the key is finished at the next start, with its event", async () => {
    const from = loadSecretsFile(join(station.dir, "secrets.yaml")).credentialKey;
    const third = randomBytes(32).toString("hex");
    const pub = String(
      ((await rotate({ action: "status" })).data as { stationPublicKey: string }).stationPublicKey,
    );
    expect(
      await rotate({
        action: "begin",
        fingerprint: credentialKeyFingerprint(third),
        sealed: sealCredentialKey(STATION, pub, third),
      }),
    ).toMatchObject({ status: "ok" });
    await station.stop();
    // What a complete leaves when the power goes right after its secrets file write: the audit
    // kept beside the window, the new key in the secrets file, the store's record not yet changed.
    const window = join(station.dir, "data", "credential-key-rotation.json");
    const kept = JSON.parse(readFileSync(window, "utf8")) as Record<string, unknown>;
    const completing = { old: credentialKeyFingerprint(from), forced: false, principal: "central:central-a" };
    writeFileSync(window, JSON.stringify({ ...kept, completing }));
    replaceCredentialKey(join(station.dir, "secrets.yaml"), third);
    const seen = central.events.length;
    await station.start();
    const e = await waitFor(
      () =>
        central.events
          .slice(seen)
          .find((x) => x.type === "credentials.key-rotation" && x.phase === "completed"),
      "the recovered completion's event",
      15_000,
    );
    expect(e).toMatchObject({ old: completing.old, new: credentialKeyFingerprint(third), forced: false });
    expect(e).toMatchObject({ principal: "central:central-a" });
    expect((await rotate({ action: "status" })).data).toMatchObject({
      current: credentialKeyFingerprint(third),
      next: null,
    });
  }, 60_000);
});
