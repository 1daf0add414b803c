import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSecretsFile } from "../config/secrets.ts";
import type { ListEntry } from "../controller/contract/command-wire.ts";
import {
  createIdentifierHasher,
  credentialKeyFingerprint,
  parseHexIdentifier,
} from "../device/identity/hasher.ts";
import { afterDelta, listEnvelopes, listHash } from "../scripts/central/lists.ts";
import { signEnvelope } from "../scripts/central/sign.ts";
import { runCli } from "./support/child.ts";
import { mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { newKey, pinLine, ROOT, STATION, useRemoteRig } from "./support/remote-station.ts";
import { waitFor } from "./support/wait.ts";

type ListState = { listVersion: number; listHash: string; listCount: number };

/** Signed credential lists over a real Mosquitto into a real `waystation run` process. */
describe("credential lists over a real Mosquitto", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const { broker, station, central } = useRemoteRig(() => [
    pinLine(a.kid, a.publicKey),
    pinLine(b.kid, b.publicKey),
  ]);
  const a = newKey("central-a");
  const b = newKey("central-b");
  let hashUid: (uid: string) => string;
  let keyFingerprint: string;

  const filler = (n: number, prefix: string): ListEntry[] =>
    Array.from({ length: n }, (_, i) => ({
      credential: randomBytes(32).toString("hex"),
      personId: `${prefix}${i}`,
      role: "worker",
      status: "active",
      secondFactor: false,
    }));
  let v1: ListEntry[];

  beforeAll(() => {
    const key = loadSecretsFile(join(station.dir, "secrets.yaml")).credentialKey;
    const hasher = createIdentifierHasher(key);
    keyFingerprint = credentialKeyFingerprint(key);
    hashUid = (uid) => hasher("card-uid", parseHexIdentifier(uid) ?? new Uint8Array());
    v1 = [
      {
        credential: hashUid("04AA0001"),
        personId: "list-p1",
        role: "worker",
        status: "active",
        secondFactor: false,
      },
      {
        credential: hashUid("04AA0002"),
        personId: "list-p2",
        role: "worker",
        status: "active",
        secondFactor: false,
      },
      ...filler(40, "v1-"),
    ];
  });

  const listState = async () =>
    ((await station.state()) as unknown as { credentialList: ListState }).credentialList;

  async function send(env: Record<string, unknown> & { id: string }, key = a) {
    await central.publish("", signEnvelope(env, key));
    return central.reply(env.id);
  }

  it("a full list in three chunks applies when the last arrives; the card on it opens the door", async () => {
    const envs = listEnvelopes({
      keyFingerprint,
      station: STATION,
      type: "full",
      listVersion: 1,
      entries: v1,
      listHash: listHash(v1),
      perChunk: 15,
    });
    expect(envs).toHaveLength(3);
    expect(await send(envs[0] as never)).toMatchObject({
      status: "ok",
      code: "CHUNK_STORED",
      data: { received: 1, count: 3 },
    });
    expect((await listState()).listVersion).toBe(0);
    expect(await send(envs[2] as never)).toMatchObject({ code: "CHUNK_STORED", data: { received: 2 } });
    expect(await send(envs[1] as never)).toMatchObject({
      status: "ok",
      code: "OK",
      data: { listVersion: 1, listCount: 42 },
    });
    await central.event(
      "credentials.list-applied",
      (e) => e.listVersion === 1 && e.principal === "central:central-a",
    );
    expect(await listState()).toMatchObject({ listVersion: 1, listHash: listHash(v1), listCount: 42 });
    await station.sim("tap", { uid: "04AA0001" });
    await central.event("access.granted", (e) => e.personId === "list-p1");
  });

  it("a list with a chunk missing is never applied", async () => {
    const v2 = filler(30, "v2-");
    const envs = listEnvelopes({
      keyFingerprint,
      station: STATION,
      type: "full",
      listVersion: 2,
      entries: v2,
      listHash: listHash(v2),
      perChunk: 10,
    });
    expect(await send(envs[0] as never)).toMatchObject({ code: "CHUNK_STORED" });
    expect(await send(envs[2] as never)).toMatchObject({
      code: "CHUNK_STORED",
      data: { received: 2, count: 3 },
    });
    expect(await listState()).toMatchObject({ listVersion: 1, listHash: listHash(v1) });
  });

  it("a delta with a gap is refused with a request for a full list; nothing changes", async () => {
    const add = filler(1, "gap-");
    const [env] = listEnvelopes({
      keyFingerprint,
      station: STATION,
      type: "delta",
      listVersion: 7,
      baseVersion: 6,
      entries: add,
      listHash: listHash([...v1, ...add]),
      perChunk: 100,
    });
    expect(await send(env as never)).toMatchObject({
      status: "error",
      code: "LIST_GAP",
      data: { listVersion: 1, request: "full" },
    });
    await central.event("credentials.list-rejected", (e) => e.code === "LIST_GAP");
    expect(await listState()).toMatchObject({ listVersion: 1, listHash: listHash(v1) });
  });

  it("a tampered chunk is rejected before it is staged", async () => {
    const [env] = listEnvelopes({
      keyFingerprint,
      station: STATION,
      type: "full",
      listVersion: 9,
      entries: filler(2, "t-"),
      listHash: "0".repeat(64),
      perChunk: 10,
    });
    const m = signEnvelope(env, a);
    const forged = { ...m, sig: signEnvelope({ ...env, listVersion: 10 }, a).sig };
    await central.publish("", forged);
    expect(await central.reply((env as { id: string }).id)).toMatchObject({ code: "BAD_SIGNATURE" });
    expect((await listState()).listVersion).toBe(1);
  });

  it("a delta on the active version applies; blocking the card there refuses it", async () => {
    const blocked: ListEntry = { ...(v1[1] as ListEntry), status: "blocked" };
    const removed = v1[2]?.credential ?? "";
    const next = afterDelta(v1, [blocked], [removed]);
    const [env] = listEnvelopes({
      keyFingerprint,
      station: STATION,
      type: "delta",
      listVersion: 3,
      baseVersion: 1,
      entries: [blocked],
      remove: [removed],
      listHash: listHash(next),
      perChunk: 100,
    });
    expect(await send(env as never, b)).toMatchObject({
      status: "ok",
      code: "OK",
      data: { listVersion: 3, listCount: 41 },
    });
    expect(await listState()).toMatchObject({ listVersion: 3, listHash: listHash(next) });
    const from = central.events.length;
    await station.sim("tap", { uid: "04AA0002" });
    const denied = await central.event("access.denied", (e) => central.events.indexOf(e) >= from);
    expect(denied).toMatchObject({ reason: "blocked" });
    // the same chunk again is a replay
    central.replies.length = 0;
    await central.publish("", signEnvelope(env, b));
    expect(await central.reply((env as { id: string }).id)).toMatchObject({
      code: expect.stringMatching(/REPLAYED|LIST_STALE/),
    });
  });

  it("`waystation central list full --broker` signs, chunks, sends and reports the applied list", async () => {
    const v4 = filler(25, "v4-");
    const file = join(station.dir, "v4.json");
    writeFileSync(file, JSON.stringify(v4));
    writeFileSync(join(station.dir, "a.key"), a.privateKey.export({ format: "pem", type: "pkcs8" }));
    const r = await runCli([
      "central",
      "list",
      "full",
      "--key",
      join(station.dir, "a.key"),
      "--kid",
      a.kid,
      "--station",
      STATION,
      "--version",
      "4",
      "--entries",
      file,
      "--chunk",
      "10",
      "--key-fingerprint",
      keyFingerprint,
      "--broker",
      broker.url,
    ]);
    // not a terminal: progress as a few plain lines on stderr, one per chunk here (3 chunks)
    expect(r.stderr).toBe(
      "applying: 1/3 chunks\napplying: 2/3 chunks\napplying: 3/3 chunks\napplying: 3 chunk(s) applied\n",
    );
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: "ok",
      data: { listVersion: 4, listCount: 25, listHash: listHash(v4) },
    });
    expect(await listState()).toMatchObject({ listVersion: 4, listHash: listHash(v4) });
  });

  it("the list's version and hash survive a restart and travel in the telemetry heartbeat", async () => {
    await central.subscribe(`${ROOT}/telemetry`);
    await station.stop();
    await station.start();
    const t = await waitFor(
      () => central.raw.find((m) => m.topic.endsWith("/telemetry")),
      "telemetry after the reconnect",
      15_000,
    );
    const v4 = (await listState()) as ListState;
    expect(v4.listVersion).toBe(4);
    expect(t.json).toMatchObject({ credentialList: { listVersion: 4, listHash: v4.listHash } });
  }, 30_000);
});
