import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { Ld2410Peer } from "../ld2410/radar-peer.ts";
import { LinkPair } from "../serial/link-pair.ts";
import { SimDoorway } from "./doorway-sim.ts";
import { occupancySimRoutes } from "./occupancy-http.ts";
import { OccupancySim } from "./occupancy-sim.ts";

/** The console's "people inside" buttons, over HTTP, acting on the simulated doorway and radar. */
describe("people-inside routes", () => {
  const clock = new ManualClock();
  const doorway = new SimDoorway(clock);
  const radar = new Ld2410Peer(new LinkPair("/dev/x").device, clock);
  const sim = new OccupancySim(doorway, radar, undefined);
  const routes = occupancySimRoutes(sim);
  const server = createServer((req, res) => {
    void routes(req, res, new URL(req.url ?? "/", "http://x")).then((handled) => {
      if (!handled) res.writeHead(418).end();
    });
  });
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sim/people/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const post = (cmd: string, body: unknown = {}) =>
    fetch(base + cmd, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as Record<string, unknown>,
    }));

  it("walk in, stand still, ghost, walk out", async () => {
    expect((await post("walk-in", { people: 2 })).json).toMatchObject({ people: 2, still: 0 });
    clock.advance(2000);
    expect(doorway.outer.read()).toBe(false);
    expect((await post("stand-still")).json).toMatchObject({ people: 2, still: 1 });
    expect((await post("ghost", { active: true })).json).toMatchObject({ ghost: true });
    expect(radar.currentReport().target).toBe("both");
    expect((await post("walk-out", { people: 2 })).json).toMatchObject({ people: 0 });
  });

  it("bad input is a 400 with a message, an unknown command a 404", async () => {
    expect(await post("walk-in", { people: 9 })).toMatchObject({
      status: 400,
      json: { code: "SIM_BAD_COMMAND" },
    });
    expect((await post("dance")).status).toBe(404);
    expect((await fetch(`${base.replace("/people/", "/")}tap`, { method: "POST" })).status).toBe(418);
  });
});
