import { beforeAll, describe, expect, it } from "vitest";
import { commandEnvelope, type SigningKey, signEnvelope } from "../scripts/central/sign.ts";
import { mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { newKey, pinLine, ROOT, STATION, useRemoteRig } from "./support/remote-station.ts";
import { waitFor } from "./support/wait.ts";

type Reported = { version: number; status: string; desiredVersion?: number; errors?: { path: string }[] };

/**
 * Desired and reported config against a real Mosquitto: validated by the station file's schema,
 * persisted, applied at a planned restart, reported with paths when wrong, and applied when it
 * was published (retained) while the station was offline.
 */
describe("desired config over a real Mosquitto", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const { station, central } = useRemoteRig(() => [pinLine(a.kid, a.publicKey), pinLine(b.kid, b.publicKey)]);
  const a = newKey("central-a");
  const b = newKey("central-b");

  beforeAll(async () => {
    await central.subscribe(`${ROOT}/config/reported`);
  });

  const desired = (version: number, config: Record<string, unknown>, key: SigningKey = a) =>
    signEnvelope(
      {
        kind: "config",
        id: `cfg-${version}-${Date.now()}`,
        station: STATION,
        issuedAt: new Date().toISOString(),
        version,
        config,
      },
      key,
    );
  const reported = (match: (r: Reported) => boolean) =>
    waitFor(
      () =>
        central.raw
          .filter((m) => m.topic.endsWith("/config/reported"))
          .map((m) => m.json as Reported)
          .reverse()
          .find(match),
      "config/reported",
      15_000,
    );
  const unlockMs = async () => {
    const reply = await central.command(a, commandEnvelope({ station: STATION, name: "unlock" }));
    return (reply.data as { unlockMs: number }).unlockMs;
  };

  it("reports the station file at first", async () => {
    await reported((r) => r.status === "file-only" && r.version === 0);
  });

  it("a config with an error is refused with its path; nothing changes", async () => {
    const before = await unlockMs();
    await central.publishTo(`${ROOT}/config/desired`, desired(1, { door: { unlockMs: "soon" } }), true);
    const r = await reported((x) => x.status === "rejected" && x.desiredVersion === 1);
    expect(r.errors?.map((e) => e.path)).toContain("door.unlockMs");
    expect(r.version).toBe(0);
    await central.event("config.rejected", (e) => e.version === 1);
    expect(await unlockMs()).toBe(before);
  });

  it("a section that is not remotely settable (mqtt: secrets and trust) is refused", async () => {
    await central.publishTo(
      `${ROOT}/config/desired`,
      desired(2, { mqtt: { url: "mqtt://evil:1883" } }),
      true,
    );
    const r = await reported((x) => x.status === "rejected" && x.desiredVersion === 2);
    expect(r.errors?.map((e) => e.path)).toEqual(["mqtt"]);
  });

  it("a config that needs a restart: persisted, reported pending, restarted, then applied", async () => {
    await central.publishTo(`${ROOT}/config/desired`, desired(3, { door: { unlockMs: 7000 } }, b), true);
    await reported((x) => x.status === "pending-restart" && x.desiredVersion === 3);
    const changed = await central.event("config.changed", (e) => e.version === 3);
    expect(changed).toMatchObject({ principal: "central:central-b", restart: true });
    expect(await station.proc?.exit(15_000)).toBe(75);
    await station.start();
    await reported((x) => x.status === "applied" && x.version === 3);
    expect(await unlockMs()).toBe(7000);
  }, 40_000);

  it("a desired config published while the station was offline is applied after it reconnects", async () => {
    await station.stop();
    await central.publishTo(`${ROOT}/config/desired`, desired(4, { door: { unlockMs: 8000 } }), true);
    await station.start();
    await reported((x) => x.status === "pending-restart" && x.desiredVersion === 4);
    expect(await station.proc?.exit(15_000)).toBe(75);
    await station.start();
    await reported((x) => x.status === "applied" && x.version === 4);
    expect(await unlockMs()).toBe(8000);
  }, 60_000);

  it("an older version (a replay) is refused; the running one stays", async () => {
    await central.publishTo(`${ROOT}/config/desired`, desired(3, { door: { unlockMs: 9000 } }), false);
    await reported((x) => x.status === "rejected" && x.desiredVersion === 3 && x.version === 4);
    expect(await unlockMs()).toBe(8000);
  });
});
