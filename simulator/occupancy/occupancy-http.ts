import type { IncomingMessage, ServerResponse } from "node:http";
import { isStationError, StationError } from "../../config/errors.ts";
import { body, onOff, send } from "../control-http.ts";
import type { OccupancySim } from "./occupancy-sim.ts";

const PREFIX = "/api/sim/people/";

const people = (a: Record<string, unknown>): number => {
  const n = a.people ?? 1;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 5) {
    throw new StationError("SIM_BAD_COMMAND", "sim", "people is 1 to 5");
  }
  return n;
};

/** Routes under /api/sim/people/ for the people inside a simulated station and its radar's faults. */
export function occupancySimRoutes(sim: OccupancySim) {
  const commands: Record<string, (a: Record<string, unknown>) => unknown> = {
    "walk-in": (a) => {
      sim.walkIn(people(a));
      return sim.snapshot();
    },
    "stand-still": () => {
      sim.standStill();
      return sim.snapshot();
    },
    move: () => {
      sim.move();
      return sim.snapshot();
    },
    "walk-out": (a) => {
      sim.walkOut(people(a));
      return sim.snapshot();
    },
    ghost: (a) => {
      sim.ghost(onOff(a));
      return sim.snapshot();
    },
    latch: (a) => {
      sim.latch(onOff(a));
      return sim.snapshot();
    },
    "hang-board": (a) => {
      sim.hangBoard(onOff(a));
      return sim.snapshot();
    },
    "unplug-radar": async () => {
      await sim.unplugRadar();
      return sim.snapshot();
    },
    "replug-radar": async () => {
      await sim.replugRadar();
      return sim.snapshot();
    },
  };
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const name = url.pathname.slice(PREFIX.length);
    try {
      if (name === "state" && req.method === "GET") {
        send(res, 200, sim.snapshot());
        return true;
      }
      const command = commands[name];
      if (!command || req.method !== "POST") {
        send(res, 404, { error: `unknown command "${name}"`, commands: Object.keys(commands) });
        return true;
      }
      send(res, 200, await command(await body(req)));
    } catch (err) {
      if (!isStationError(err)) throw err;
      send(res, 400, { error: err.message, code: err.code, hint: err.details.hint });
    }
    return true;
  };
}

/** The console section: walk in, stand still, walk out, make the radar ghost. */
export function occupancySimPanel(): string {
  return `<section id="simPeople" style="margin-top:16px">
  <h2>Simulator: people inside</h2>
  <div><button data-people="walk-in">Walk in</button><button data-people="walk-in" data-args='{"people":2}'>Two walk in together</button></div>
  <div><button data-people="stand-still">Stand still</button><button data-people="move">Move</button><button data-people="walk-out">Walk out</button></div>
  <div><button data-people="ghost" data-args='{"active":true}'>Radar ghost on</button><button data-people="ghost" data-args='{"active":false}'>Ghost off</button></div>
  <div><button data-people="latch" data-args='{"active":true}'>Latch the radar</button><button data-people="unplug-radar">Unplug the radar</button><button data-people="replug-radar">Plug it back</button></div>
  <div><button data-people="hang-board" data-args='{"active":true}'>Hang the I/O board</button><button data-people="hang-board" data-args='{"active":false}'>It answers again</button></div>
  <div class="msg" id="peopleMsg"></div>
</section>
<script>
(() => {
  const msg = document.getElementById("peopleMsg");
  document.querySelectorAll("[data-people]").forEach((b) => {
    b.onclick = async () => {
      msg.textContent = "";
      const r = await fetch("/api/sim/people/" + b.dataset.people, { method: "POST", headers: { "content-type": "application/json" }, body: b.dataset.args || "{}" });
      const j = await r.json();
      msg.textContent = r.ok ? j.people + " inside (" + j.still + " still)" + (j.ghost ? ", radar ghosting" : "") : (j.error || r.statusText);
    };
  });
})();
</script>`;
}
