import { execFileSync } from "node:child_process";
import { createPublicKey, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { credentialKeyFingerprint } from "../device/identity/hasher.ts";
import { runCli } from "./support/child.ts";
import { mosquittoDaemon } from "./support/mosquitto.ts";
import { pythonCryptography } from "./support/python-cryptography.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { pinLine, STATION, useRemoteRig } from "./support/remote-station.ts";

/** `waystation central keygen | sign | send` against a real Mosquitto and station. */
describe("waystation central", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const python = pythonCryptography();
  const dir = mkdtempSync(join(tmpdir(), "ws-central-cli-"));
  const pub = (kid: string) => createPublicKey(readFileSync(join(dir, `${kid}.pub`), "utf8"));

  // The keys first: the station file pins what keygen made (the rig reads the pins when it starts).
  beforeAll(async () => {
    for (const kid of ["ops-1", "ops-2"]) {
      const r = await runCli(["central", "keygen", "--kid", kid, "--out", dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`kid: ${kid}`);
    }
  });
  const { broker, central } = useRemoteRig(() => [
    pinLine("ops-1", pub("ops-1")),
    pinLine("ops-2", pub("ops-2")),
  ]);

  const common = (kid: string) => ["--key", join(dir, `${kid}.key`), "--kid", kid, "--station", STATION];

  it("keygen keeps the private key to its owner (0600)", () => {
    expect(statSync(join(dir, "ops-1.key")).mode & 0o777).toBe(0o600);
  });

  it("send signs, publishes, waits for the reply and exits 0 on ok", async () => {
    const r = await runCli(["central", "send", "unlock", ...common("ops-2"), "--broker", broker.url]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "ok", code: "OK" });
    await central.event("cmd.executed", (e) => e.principal === "central:ops-2" && e.name === "unlock");
  });

  it("send exits 1 with the station's rejection", async () => {
    const r = await runCli([
      "central",
      "send",
      "passage-mode",
      ...common("ops-1"),
      "--broker",
      broker.url,
      "--args",
      '{"active":"yes"}',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "error", code: "BAD_ARGS" });
  });

  it("sign prints a message anyone can publish", async () => {
    const r = await runCli(["central", "sign", "rebirth", ...common("ops-1")]);
    expect(r.code).toBe(0);
    const id = /id (\S+):/.exec(r.stderr)?.[1] ?? "";
    await central.publish("rebirth", r.stdout.trim());
    expect(await central.reply(id)).toMatchObject({ status: "ok" });
  });

  /** `credential-key-rotate` through `central send`, its reply parsed. */
  async function rotate(args: Record<string, unknown>) {
    const r = await runCli([
      "central",
      "send",
      "credential-key-rotate",
      ...common("ops-1"),
      "--broker",
      broker.url,
      "--args",
      JSON.stringify(args),
    ]);
    return JSON.parse(r.stdout) as { status: string; code: string; data: Record<string, unknown> };
  }

  it("seal-key seals a next credential key the station takes (begin), as does the doc's Python", async () => {
    const status = await rotate({ action: "status" });
    const pub = String(status.data.stationPublicKey);
    const keyFile = join(dir, "next-credential.key");
    const next = randomBytes(32).toString("hex");
    writeFileSync(keyFile, `${next}\n`, { mode: 0o600 });
    const r = await runCli([
      "central",
      "seal-key",
      "--station",
      STATION,
      "--station-public-key",
      pub,
      "--credential-key",
      keyFile,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(next);
    const begin = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(begin).toMatchObject({ action: "begin", fingerprint: credentialKeyFingerprint(next) });
    expect(await rotate(begin)).toMatchObject({
      status: "ok",
      data: { next: credentialKeyFingerprint(next) },
    });
    expect(await rotate({ action: "rollback" })).toMatchObject({ status: "ok", data: { next: null } });
    // a key sealed to another station is refused by this one
    const elsewhere = await runCli([
      "central",
      "seal-key",
      "--station",
      "st-other",
      "--station-public-key",
      pub,
      "--credential-key",
      keyFile,
    ]);
    expect(await rotate(JSON.parse(elsewhere.stdout))).toMatchObject({ code: "SEALED_KEY_INVALID" });
    const bad = await runCli([
      "central",
      "seal-key",
      "--station",
      STATION,
      "--station-public-key",
      "nope",
      "--credential-key",
      keyFile,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("hint:");
    if (!python.path) return;
    const block = /<!-- test:[^>]*key-sealing\.test\.ts[^>]*-->\s*```python\n([\s\S]*?)\n```/.exec(
      readFileSync(resolve(import.meta.dirname, "..", "docs", "central-integration.md"), "utf8"),
    )?.[1];
    const sealed = execFileSync(python.path, ["-c", block ?? ""], {
      env: { ...process.env, STATION, STATION_PUB: pub, KEY: next },
      encoding: "utf8",
    });
    expect(
      await rotate({
        action: "begin",
        fingerprint: credentialKeyFingerprint(next),
        sealed: JSON.parse(sealed),
      }),
    ).toMatchObject({ status: "ok", data: { next: credentialKeyFingerprint(next) } });
    expect(await rotate({ action: "rollback" })).toMatchObject({ status: "ok" });
  }, 60_000);
});
