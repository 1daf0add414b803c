import type { ConsoleExtension } from "./http-route.ts";

/**
 * The outlets, the cabinet and the safety coordinator on the live page: their state, and the
 * technician's commands (clear a quarantine, release a battery, reset after an alarm), run
 * through the console's /api/command like every other change.
 */
export function powerConsoleExtension(): ConsoleExtension {
  return { panel: POWER_PANEL };
}

const POWER_PANEL = `<section id="power">
  <h2 id="powerTitle"></h2>
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
    const j = await command(name, args);
    msg.textContent = name + ": " + j.status + (j.code ? " (" + j.code + ")" : "");
  };
  const btn = (label, name, args) => "<button data-change onclick='powerCommand(" + JSON.stringify(name) + "," + esc(JSON.stringify(args)) + ")'>" + esc(label) + "</button>";
  const th = (...keys) => "<tr>" + keys.map((k) => "<th>" + (k ? esc(t(k)) : "") + "</th>").join("") + "</tr>";
  async function refresh() {
    const s = await (await fetch("/api/state")).json();
    document.getElementById("powerTitle").textContent = t("chargingSwap");
    const sf = s.safety;
    document.getElementById("safetyBox").innerHTML = sf
      ? (sf.active.length ? "<b style='color:#b00'>" + esc(t("safetyAlarm", { what: sf.active.join(", ") })) + "</b>"
        : sf.latched ? "<b style='color:#b60'>" + esc(t("safetyLatched")) + "</b> " + btn(t("resetTech"), "safety-reset", {}) : esc(t("safetyNormal"))) +
        (sf.watchLost ? " <b style='color:#b60'>" + esc(t("smokeUnwatched")) + "</b>" : "")
      : "";
    const rows = Object.entries(s.outlets || {}).map(([id, o]) => "<tr><td>" + esc(id) + "</td><td>" + esc(o.kind) + "</td><td>" + esc(o.state) +
      (o.quarantine ? " (" + esc(o.quarantine.reason) + ")" : "") + (o.outsideSchedule ? " (" + esc(t("outsideHours")) + ")" : "") + "</td><td>" + esc(t(o.relay ? "on" : "off")) + "</td><td>" + o.powerW.toFixed(1) + " W</td><td>" +
      (o.session ? esc(o.session.personId || "") + " " + o.session.energyWh + " Wh" : "") + "</td><td>" +
      (o.state === "quarantined" ? btn(t("clear"), "outlet", { outlet: id, action: "clear" }) : o.state === "charging" ? btn(t("stop"), "outlet", { outlet: id, action: "stop" }) : btn(t("start"), "outlet", { outlet: id, action: "start" })) + "</td></tr>");
    document.getElementById("outletTable").innerHTML = rows.length ? th("outlet", "kind", "state", "relay", "power", "session", "") + rows.join("") : "";
    const c = s.cabinet;
    document.getElementById("cabinetBox").innerHTML = c ? "<p>" + esc(t("cabinetLine", { online: t(c.online ? "online" : "offline"), powered: t(c.powered ? "on" : "cut"), step: c.swap.step })) + " " + btn(t("swapBtn"), "swap", {}) + "</p><table>" + th("slot", "battery", "soc", "tempC", "door", "") +
      c.slots.map((v) => "<tr><td>" + v.slot + "</td><td>" + esc(v.present ? v.batteryId : "—") + "</td><td>" + (v.present ? v.socPct + " %" : "") + "</td><td>" + v.tempC + "</td><td>" +
        esc(t(v.doorClosed ? "closed" : "open")) + "</td><td>" + (v.quarantined ? esc(t("quarantined")) + " " + btn(t("release"), "release-battery", { slot: v.slot }) : esc(v.faults.join(", "))) + "</td></tr>").join("") + "</table>" : "";
    if (document.body.dataset.role !== "technician") document.querySelectorAll("#power [data-change]").forEach((b) => { b.disabled = true; });
  }
  // the page's shared script (t, command) comes after this section: start once it has run
  window.addEventListener("DOMContentLoaded", () => { refresh(); setInterval(() => refresh().catch(() => {}), 1000); });
})();
</script>`;
