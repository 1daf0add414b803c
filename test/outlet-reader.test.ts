import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../config/load.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { bootPowerStation, powerStationYaml } from "./support/power-station.ts";
import { waitFor } from "./support/wait.ts";

/**
 * `outlets.list[].reader`: a worker taps a card at the outlet's own reader. The access decision
 * is the door's (known, active, schedule, lockout), but the grant starts a charging session bound
 * to that card instead of opening the door; the same card again stops it.
 */
let booted: BootedStation | undefined;
afterEach(async () => {
  await booted?.stop();
  booted = undefined;
});

async function stationWithOutletReader() {
  const { booted: b, events } = await bootPowerStation(undefined, "", undefined, (yaml) =>
    yaml
      .replace(
        "readers: [{ id: entry, kind: simulated }]",
        "readers: [{ id: entry, kind: simulated }, { id: at-ebike-1, kind: simulated }]",
      )
      .replace("relay: { pin: 13 } }", "relay: { pin: 13 }, reader: at-ebike-1 }"),
  );
  const card = (uid: number[], personId: string) => {
    const credential = b.hasher("card-uid", Uint8Array.from(uid));
    b.store?.upsert([{ credential, personId, role: "worker", status: "active", secondFactor: false }]);
  };
  card([4, 1, 2, 3], "p1");
  card([4, 9, 9, 9], "p2");
  return { b, events };
}

describe("a card at the outlet's reader", { timeout: 60_000 }, () => {
  it("starts a session bound to that card, without opening the door; the same card stops it", async () => {
    const { b, events } = await stationWithOutletReader();
    booted = b;
    b.powerSim?.control.plug("ebike-1", "ebike", 20);
    b.sim?.control.tap("04010203", "at-ebike-1");
    await waitFor(() => b.station.state().outlets?.["ebike-1"]?.state === "charging", "the session");
    expect(b.powerSim?.relays.get("ebike-1")?.read()).toBe(true);
    expect(b.station.state().outlets?.["ebike-1"]?.session).toMatchObject({ personId: "p1", source: "tap" });
    expect(events.find((e) => e.type === "access.granted")).toMatchObject({
      readerId: "at-ebike-1",
      outlet: "ebike-1",
      personId: "p1",
    });
    // the door stayed locked
    expect(events.some((e) => e.type === "door.unlocked")).toBe(false);

    // someone else's card does not stop it
    b.sim?.control.tap("04090909", "at-ebike-1");
    await waitFor(() => events.find((e) => e.type === "outlet.refused"), "the refusal");
    expect(events.find((e) => e.type === "outlet.refused")).toMatchObject({
      outlet: "ebike-1",
      reason: "busy",
      source: "tap",
    });
    expect(b.station.state().outlets?.["ebike-1"]?.state).toBe("charging");

    b.sim?.control.tap("04010203", "at-ebike-1");
    await waitFor(() => b.station.state().outlets?.["ebike-1"]?.state === "idle", "the session stopped");
    expect(b.powerSim?.relays.get("ebike-1")?.read()).toBe(false);
    expect(events.find((e) => e.type === "outlet.session-ended")).toMatchObject({
      personId: "p1",
      reason: "stopped",
    });
    // a door tap still opens the door
    b.sim?.control.tap("04010203", "entry");
    await waitFor(() => events.find((e) => e.type === "door.unlocked"), "the door");
  });

  it("an outlet naming a reader that does not exist is refused in the station file", async () => {
    const yaml = (await powerStationYaml("/tmp/x")).replace(
      "relay: { pin: 13 } }",
      "relay: { pin: 13 }, reader: nowhere }",
    );
    const r = parseConfigText(yaml);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r.ok ? [] : r.issues)).toContain('no reader \\"nowhere\\" in hardware.readers');
  });
});
