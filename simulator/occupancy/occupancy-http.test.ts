import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { SystemClock } from "../../device/clock/system-clock.ts";
import { nextValue } from "../../device/ports/wait-for.ts";
import { FirmataBoardPeer } from "../firmata/firmata-board.ts";
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
    // no simulated board here: hanging it is refused with the fix
    expect(await post("hang-board", { active: true })).toMatchObject({
      status: 400,
      json: { code: "SIM_BAD_COMMAND", hint: expect.stringContaining("occupancy.board") },
    });
    expect((await fetch(`${base.replace("/people/", "/")}tap`, { method: "POST" })).status).toBe(418);
  });
});

describe("the simulated I/O board's hang", () => {
  it("hang-board on: the board keeps its port but answers nothing (not even the firmware probe); off: it answers again", async () => {
    const clock = new ManualClock();
    const pair = new LinkPair("/dev/board");
    const board = new FirmataBoardPeer(pair.device, clock, {
      samplingMs: 100,
      reopenMs: 100,
      announce: false,
    });
    await board.start();
    await pair.host.open();
    const sim = new OccupancySim(undefined, undefined, undefined, board);
    // the first reply to a firmware query within 500 ms (nothing: undefined)
    const probe = async () => {
      const reply = nextValue(pair.host.onData.bind(pair.host), new SystemClock(), 500, (c) =>
        c[1] === 0x79 ? c[1] : undefined,
      );
      await pair.host.write(Uint8Array.of(0xf0, 0x79, 0xf7));
      return reply;
    };
    expect(await probe()).toBe(0x79);
    sim.hangBoard(true);
    expect(sim.snapshot().boardHung).toBe(true);
    expect(await probe()).toBeUndefined();
    expect(pair.host.isOpen).toBe(true);
    sim.hangBoard(false);
    expect(await probe()).toBe(0x79);
    await board.stop();
  });
});
