import type { IncomingMessage } from "node:http";
import type { LocalCommandRunner } from "../control/local-commands.ts";
import { type ConsoleExtension, sendJson } from "./http-route.ts";

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const c of req) {
    text += (c as Buffer).toString("utf8");
    if (text.length > 4096) return {};
  }
  try {
    const v: unknown = JSON.parse(text || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The outlets, the cabinet and the safety coordinator on the technician console: their state,
 * and the technician's commands (clear a quarantine, release a battery, reset after an alarm),
 * run through the station's command router with a local principal, so each is audited.
 */
export function powerConsoleExtension(commands: () => LocalCommandRunner | undefined): ConsoleExtension {
  return {
    route: async (req, res, url) => {
      if (url.pathname !== "/api/power/command" || req.method !== "POST") return false;
      const body = await readJson(req);
      const runner = commands();
      const reply = runner
        ? await runner.runLocal(typeof body.name === "string" ? body.name : "", body.args ?? {}, "console")
        : { status: "error" as const, code: "STATION_NOT_READY" };
      const http = reply.code === "UNKNOWN_COMMAND" ? 404 : reply.code === "BAD_ARGS" ? 400 : 200;
      sendJson(res, http, reply);
      return true;
    },
    panel: POWER_PANEL,
  };
}

const POWER_PANEL = `<section id="power" style="margin-top:16px">
  <h2>Charging and battery swap</h2>
  <div id="safetyBox"></div>
  <table id="outletTable"></table>
  <div id="cabinetBox"></div>
  <div class="msg" id="powerMsg"></div>
</section>
<script>
(() => {
  const msg = document.getElementById("powerMsg");
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  window.powerCommand = async (name, args) => {
    const r = await fetch("/api/power/command", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, args }) });
    const j = await r.json();
    msg.textContent = name + ": " + j.status + (j.code ? " (" + j.code + ")" : "");
  };
  const btn = (label, name, args) => "<button onclick='powerCommand(" + JSON.stringify(name) + "," + esc(JSON.stringify(args)) + ")'>" + esc(label) + "</button>";
  async function refresh() {
    const s = await (await fetch("/api/state")).json();
    const sf = s.safety;
    document.getElementById("safetyBox").innerHTML = sf
      ? (sf.active.length ? "<b style='color:#b00'>SAFETY ALARM: " + esc(sf.active.join(", ")) + " — power cut, door released</b>"
        : sf.latched ? "<b style='color:#b60'>Power cut after a safety alarm</b> " + btn("Reset (technician)", "safety-reset", {}) : "Safety: normal")
      : "";
    const rows = Object.entries(s.outlets || {}).map(([id, o]) => "<tr><td>" + esc(id) + "</td><td>" + esc(o.kind) + "</td><td>" + esc(o.state) +
      (o.quarantine ? " (" + esc(o.quarantine.reason) + ")" : "") + "</td><td>" + (o.relay ? "on" : "off") + "</td><td>" + o.powerW.toFixed(1) + " W</td><td>" +
      (o.session ? esc(o.session.personId || "") + " " + o.session.energyWh + " Wh" : "") + "</td><td>" +
      (o.state === "quarantined" ? btn("Clear", "outlet", { outlet: id, action: "clear" }) : o.state === "charging" ? btn("Stop", "outlet", { outlet: id, action: "stop" }) : btn("Start", "outlet", { outlet: id, action: "start" })) + "</td></tr>");
    document.getElementById("outletTable").innerHTML = rows.length ? "<tr><th>outlet</th><th>kind</th><th>state</th><th>relay</th><th>power</th><th>session</th><th></th></tr>" + rows.join("") : "";
    const c = s.cabinet;
    document.getElementById("cabinetBox").innerHTML = c ? "<p>Cabinet: " + (c.online ? "online" : "OFFLINE") + ", chargers " + (c.powered ? "on" : "cut") +
      ", swap: " + esc(c.swap.step) + " " + btn("Swap (person inside)", "swap", {}) + "</p><table><tr><th>slot</th><th>battery</th><th>SoC</th><th>°C</th><th>door</th><th></th></tr>" +
      c.slots.map((v) => "<tr><td>" + v.slot + "</td><td>" + esc(v.present ? v.batteryId : "—") + "</td><td>" + (v.present ? v.socPct + " %" : "") + "</td><td>" + v.tempC + "</td><td>" +
        (v.doorClosed ? "closed" : "open") + "</td><td>" + (v.quarantined ? "quarantined " + btn("Release", "release-battery", { slot: v.slot }) : esc(v.faults.join(", "))) + "</td></tr>").join("") + "</table>" : "";
  }
  refresh();
  setInterval(() => refresh().catch(() => {}), 1000);
})();
</script>`;
