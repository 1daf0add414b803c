/**
 * The console page: plain HTML and a little script, no build step, so it works from a
 * technician's laptop with nothing but a browser. Everything dynamic is set with textContent.
 * `panels` are extra sections the composition root adds (each with its own markup and script).
 */
export function consolePage(title: string, panels: readonly string[] = []): string {
  const safeTitle = title.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle} · Waystation console</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f3f5f8; }
  body { margin: 0; }
  header { background: #1d2330; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header .conn { margin-left: auto; font-size: 13px; }
  main { display: grid; grid-template-columns: minmax(280px, 360px) 1fr; gap: 16px; padding: 16px; }
  section { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 3px #0002; }
  h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .05em; color: #5b6475; margin: 0 0 10px; }
  .door { display: flex; gap: 12px; align-items: center; }
  .leaf { width: 70px; height: 110px; border: 4px solid #5b6475; border-radius: 4px; background: #dfe6ee; transition: transform .3s; transform-origin: left; }
  .leaf.open { transform: perspective(300px) rotateY(-55deg); background: #fff7d6; }
  .pill { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 600; font-size: 13px; }
  .locked { background: #dff3e4; color: #19692c; } .unlocked { background: #fde2c8; color: #8a4300; }
  .kv { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; font-size: 14px; margin-top: 10px; }
  .kv dt { color: #5b6475; } .kv dd { margin: 0; }
  button { font: inherit; padding: 8px 12px; margin: 4px 4px 0 0; border-radius: 6px; border: 1px solid #aab3c2; background: #fff; cursor: pointer; }
  button:hover { background: #eef2f7; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e6e9ef; vertical-align: top; }
  td.t { white-space: nowrap; color: #5b6475; font-variant-numeric: tabular-nums; }
  tr.granted td.type { color: #19692c; font-weight: 600; } tr.denied td.type { color: #b3261e; font-weight: 600; }
  #events { max-height: 70vh; overflow: auto; }
  .msg { font-size: 13px; color: #b3261e; min-height: 1em; }
</style></head>
<body>
<header><h1>Waystation · <span id="station">${safeTitle}</span></h1><span class="conn" id="conn">connecting…</span></header>
<main>
  <div>
    <section>
      <h2>Door</h2>
      <div class="door"><div class="leaf" id="leaf"></div>
        <div><div><span class="pill" id="lock">?</span></div><div id="leafText" style="margin-top:6px">?</div></div></div>
      <dl class="kv">
        <dt>mode</dt><dd id="mode">?</dd>
        <dt>lock mode</dt><dd id="lockMode">?</dd>
        <dt>relay</dt><dd id="relay">?</dd>
        <dt>relay cycles</dt><dd id="cycles">?</dd>
        <dt>readers</dt><dd id="readers">?</dd>
        <dt>credentials</dt><dd id="creds">?</dd>
        <dt>last event seq</dt><dd id="seq">?</dd>
        <dt>time</dt><dd id="time">?</dd>
        <dt>power</dt><dd id="power">?</dd>
        <dt>journal</dt><dd id="journal">?</dd>
        <dt>boot</dt><dd id="boot">?</dd>
      </dl>
      <div id="fireReset" style="display:none"><button id="fireResetBtn">Reset after the fire alarm</button></div>
    </section>
    <section style="margin-top:16px">
      <h2>Alarms</h2>
      <ul id="alarms" style="margin:0;padding-left:18px;font-size:14px"></ul>
    </section>
${panels.join("\n")}
  </div>
  <section><h2>Live events</h2><div id="events"><table><thead><tr><th>time</th><th>seq</th><th>type</th><th>details</th></tr></thead><tbody id="rows"></tbody></table></div></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
function showState(s) {
  $("station").textContent = s.stationId;
  $("lock").textContent = s.door.lock; $("lock").className = "pill " + s.door.lock;
  $("leaf").className = "leaf " + s.door.leaf; $("leafText").textContent = "door " + s.door.leaf;
  $("lockMode").textContent = s.door.lockMode;
  $("relay").textContent = s.door.relayEnergised ? "energised" : "de-energised";
  $("cycles").textContent = s.door.relayCycles;
  $("readers").textContent = Object.entries(s.readers).map(([k, v]) => k + ": " + v.status + (v.lockedOut ? " (locked out)" : "")).join(", ") || "none";
  $("mode").textContent = s.door.mode + (s.door.fire === "latched" ? " (waiting for reset)" : "") + (s.door.passage.waitingForFirstCard ? " (passage: waiting for the first card)" : "");
  $("time").textContent = s.time.quality + ", " + new Date(s.time.now).toLocaleString();
  $("power").textContent = s.power.onBattery ? "on UPS battery" : "mains";
  $("fireReset").style.display = s.door.fire === "latched" ? "block" : "none";
  const al = $("alarms"); al.replaceChildren();
  for (const a of s.alarms) { const li = document.createElement("li"); li.textContent = a.alarm + (a.source ? " (" + a.source + ")" : "") + " since " + new Date(a.since).toLocaleTimeString() + (a.detail ? ": " + a.detail : ""); al.appendChild(li); }
  if (s.alarms.length === 0) { const li = document.createElement("li"); li.textContent = "none"; al.appendChild(li); }
  $("creds").textContent = s.credentials.count;
  $("seq").textContent = s.events.lastSeq;
  const j = s.journal;
  $("journal").textContent = j ? j.health + " · backlog " + j.backlog + " · dropped " + j.dropped + (j.error ? " — " + j.error : "") : "?";
  $("journal").className = j && j.health !== "ok" ? "msg" : "";
  $("boot").textContent = s.bootId;
}
function addEvent(e) {
  const { id, seq, bootId, ts, type, stationId, ...rest } = e;
  const tr = document.createElement("tr");
  tr.className = type === "access.granted" ? "granted" : type === "access.denied" || type === "alarm.raised" ? "denied" : "";
  const cells = [new Date(ts).toLocaleTimeString(), String(seq), type,
    Object.entries(rest).map(([k, v]) => k + "=" + (k === "credential" ? String(v).slice(0, 10) + "…" : JSON.stringify(v))).join("  ")];
  cells.forEach((c, i) => { const td = document.createElement("td"); td.textContent = c; if (i === 0) td.className = "t"; if (i === 2) td.className = "type"; tr.appendChild(td); });
  $("rows").prepend(tr);
  while ($("rows").children.length > 300) $("rows").lastChild.remove();
}
function connect() {
  const es = new EventSource("/api/stream");
  es.addEventListener("open", () => { $("conn").textContent = "live"; });
  es.addEventListener("error", () => { $("conn").textContent = "disconnected, retrying…"; });
  es.addEventListener("state", (m) => showState(JSON.parse(m.data)));
  es.addEventListener("event", (m) => addEvent(JSON.parse(m.data)));
}
$("fireResetBtn").onclick = async () => { const r = await fetch("/api/door/fire-reset", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }); alert((await r.json()).detail); };
connect();
</script>
</body></html>`;
}
