import { type Lang, t } from "./i18n.ts";
import { esc } from "./page-shell.ts";

/**
 * The live station: door, lock, readers, the face process's health and memory, occupancy and its
 * sensors' health, alarms, and the sections the composition root adds (outlets and cabinet, the
 * simulator's controls), kept up to date from the event stream. Everything dynamic is set with
 * textContent.
 */
export function liveBody(lang: Lang, panels: readonly string[]): string {
  const h = (k: Parameters<typeof t>[1]) => esc(t(lang, k));
  return `<main>
<section>
  <h2>${h("door")}</h2>
  <p><span class="pill" id="lock">?</span> <span id="leafText">?</span></p>
  <dl class="kv">
    <dt>${h("mode")}</dt><dd id="mode">?</dd>
    <dt>${h("lockMode")}</dt><dd id="lockMode">?</dd>
    <dt>${h("relay")}</dt><dd id="relay">?</dd>
    <dt>${h("readers")}</dt><dd id="readers">?</dd>
    <dt>${h("credentials")}</dt><dd id="creds">?</dd>
    <dt>${h("time")}</dt><dd id="time">?</dd>
    <dt>${h("power")}</dt><dd id="supply">?</dd>
    <dt>${h("journal")}</dt><dd id="journal">?</dd>
    <dt class="face" style="display:none">${h("faceModule")}</dt><dd class="face" id="face" style="display:none">?</dd>
  </dl>
  <div id="fireReset" style="display:none"><button id="fireResetBtn" data-change>${h("fireReset")}</button></div>
  <div class="msg" id="liveMsg"></div>
</section>
<section id="occ" style="display:none">
  <h2>${h("occupancy")}</h2>
  <dl class="kv">
    <dt>${h("people")}</dt><dd id="occCount">?</dd>
    <dt>${h("sensors")}</dt><dd id="occSensors">?</dd>
    <dt>${h("welfare")}</dt><dd id="occWelfare">?</dd>
    <dt>${h("outputs")}</dt><dd id="occOutputs">?</dd>
  </dl>
</section>
<section><h2>${h("alarms")}</h2><ul id="alarms" style="margin:0;padding-left:18px;font-size:14px"></ul></section>
${panels.join("\n")}
<section class="wide"><h2>${h("recent")}</h2><table><tbody id="rows"></tbody></table></section>
</main>`;
}

export const LIVE_SCRIPT = `
function showState(s) {
  const d = s.door;
  $("lock").textContent = t(d.lock); $("lock").className = "pill " + d.lock;
  $("leafText").textContent = d.leaf === "open" ? t("leafOpen") : d.leaf === "closed" ? t("leafClosed") : t("leafUnknown");
  $("mode").textContent = d.mode + (d.fire === "latched" ? " (fire: waiting for reset)" : "");
  $("lockMode").textContent = d.lockMode;
  $("relay").textContent = d.relayEnergised ? t("energised") : t("deEnergised");
  $("readers").textContent = Object.entries(s.readers || {}).map(([k, v]) => k + ": " + v.status + (v.lockedOut ? " (locked out)" : "")).join(", ") || t("none");
  $("creds").textContent = s.credentials ? s.credentials.count : "?";
  $("time").textContent = s.time.quality + ", " + new Date(s.time.now).toLocaleString();
  $("supply").textContent = s.power.onBattery ? t("onBattery") : t("mains");
  const j = s.journal;
  $("journal").textContent = j ? j.health + " · backlog " + j.backlog + " · dropped " + j.dropped + (j.error ? " — " + j.error : "") : "?";
  $("journal").className = j && j.health !== "ok" ? "msg" : "";
  const f = s.face;
  document.querySelectorAll(".face").forEach((x) => { x.style.display = f ? "" : "none"; });
  if (f) {
    $("face").textContent = f.status + (f.rssMb !== undefined ? " · " + f.rssMb + " MB" : "") + (f.templates !== undefined ? " · " + f.templates + " templates" : "") + " · restarts " + f.restarts + (f.lastError && f.status !== "up" ? " — " + f.lastError : "");
    $("face").className = f.status === "up" ? "" : "msg";
  }
  $("fireReset").style.display = d.fire === "latched" ? "block" : "none";
  const al = $("alarms"); al.replaceChildren();
  for (const a of s.alarms) { const li = document.createElement("li"); li.textContent = a.alarm + (a.source ? " (" + a.source + ")" : "") + " · " + new Date(a.since).toLocaleTimeString() + (a.detail ? ": " + a.detail : ""); al.appendChild(li); }
  if (s.alarms.length === 0) { const li = document.createElement("li"); li.textContent = t("none"); al.appendChild(li); }
  const o = s.occupancy;
  $("occ").style.display = o ? "block" : "none";
  if (o) {
    $("occCount").textContent = o.count + " (" + o.confidence + ", " + o.sources.join("+") + ")";
    $("occSensors").textContent = Object.entries(o.sensors).map(([k, v]) => k + ": " + v.health + (v.detail ? " (" + v.detail + ")" : "")).join(", ") || t("none");
    $("occWelfare").textContent = o.welfare.active ? "ALERT " + new Date(o.welfare.since).toLocaleTimeString() : "ok";
    $("occWelfare").className = o.welfare.active ? "msg" : "";
    $("occOutputs").textContent = Object.entries(o.outputs).map(([k, v]) => k + " " + (v ? "on" : "off")).join(", ") || t("none");
  }
}
$("fireResetBtn").onclick = async () => { const r = await command("fire-reset", {}); $("liveMsg").textContent = r.status + " " + (r.code || ""); };
live({
  state: showState,
  event: (e) => { $("rows").prepend(eventRow(e)); while ($("rows").children.length > 30) $("rows").lastChild.remove(); },
});
if (document.body.dataset.role !== "technician") document.querySelectorAll("[data-change]").forEach((b) => { b.disabled = true; b.title = t("viewerCannot"); });
`;
