import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/child.ts";
import { mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { pinLine, STATION, useRemoteRig } from "./support/remote-station.ts";

/** `waystation central keygen | sign | send` against a real Mosquitto and station. */
describe("waystation central", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

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
});
