/** The scripts of the event log, selftest, config and card pages (the live page's is in live-page.ts). */

export const LOGIN_SCRIPT = `
$("loginForm").onsubmit = async (ev) => {
  ev.preventDefault();
  $("loginMsg").textContent = "";
  const r = await fetch("/api/login", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: $("user").value, password: $("password").value }) });
  if (r.ok) { location.href = "/"; return; }
  const j = await r.json().catch(() => ({}));
  $("password").value = "";
  $("loginMsg").textContent = j.error === "locked" ? t("loginLocked", { s: 300 })
    : j.error === "rate-limited" ? t("loginLimited", { s: j.retryAfterS })
    : j.error === "users-unavailable" ? t("loginUnavailable")
    : r.status === 429 ? t("loginLocked", { s: j.retryAfterS }) : t("loginWrong");
};
`;

export const EVENTS_SCRIPT = `
// History comes from the station's journal (older pages with "older"), new events live.
let filter = { type: "", q: "", since: "" };
let oldest = 0;
const sinceMs = () => (filter.since ? new Date(filter.since).getTime() : 0);
const matches = (e) => (!filter.type || filter.type.split(",").map((p) => p.trim()).filter(Boolean).some((p) => e.type.startsWith(p)))
  && (!filter.q || JSON.stringify(e).toLowerCase().includes(filter.q.toLowerCase()))
  && (!filter.since || Date.parse(e.ts) >= sinceMs());
async function load(more) {
  const qs = new URLSearchParams({ type: filter.type, q: filter.q, limit: "300" });
  if (filter.since) qs.set("since", new Date(filter.since).toISOString());
  if (more && oldest) qs.set("before", String(oldest));
  const list = await (await fetch("/api/events?" + qs)).json();
  if (more) $("rows").append(...list.map(eventRow)); else $("rows").replaceChildren(...list.map(eventRow));
  if (list.length) oldest = list[list.length - 1].seq;
  $("older").disabled = list.length < 300;
}
const apply = () => { filter = { type: $("ftype").value, q: $("ftext").value, since: $("fsince").value }; oldest = 0; load(false); };
$("filterForm").onsubmit = (ev) => { ev.preventDefault(); apply(); };
$("older").onclick = () => load(true);
document.querySelectorAll("[data-prefix]").forEach((b) => { b.onclick = () => { $("ftype").value = b.dataset.prefix; apply(); }; });
let loaded = false;
live({ event: (e) => { if (loaded && matches(e)) { $("rows").prepend(eventRow(e)); while ($("rows").children.length > 3000) $("rows").lastChild.remove(); } } });
load(false).then(() => { loaded = true; });
`;

export const SELFTEST_SCRIPT = `
let mine = "";
live({ progress: (p) => { if (p.commandId !== mine) return; const li = document.createElement("li"); li.textContent = p.line; $("progress").appendChild(li); } });
$("run").onclick = async () => {
  mine = randomId();
  $("run").disabled = true; $("progress").replaceChildren(); $("items").replaceChildren(); $("summary").textContent = t("selftestRunning");
  const r = await command("selftest", { attended: $("attended").checked }, mine);
  $("run").disabled = false;
  const rep = r.data && r.data.report;
  if (!rep) { $("summary").textContent = r.status + " " + (r.code || "") + " " + ((r.data && r.data.detail) || ""); return; }
  for (const i of rep.items) {
    const tr = document.createElement("tr");
    const mark = i.skipped ? t("skip") : i.ok ? t("pass") : t("fail");
    cell(tr, mark, "pill " + (i.skipped ? "" : i.ok ? "ok" : "bad")); cell(tr, i.title); cell(tr, i.detail + (i.hint && !i.ok ? " — " + i.hint : ""));
    $("items").appendChild(tr);
  }
  $("summary").textContent = (rep.ok ? t("pass") : t("fail")) + ": " + rep.counts.passed + " " + t("passed") + ", " + rep.counts.failed + " " + t("failed") + ", " + rep.counts.skipped + " " + t("skipped");
  $("summary").className = rep.ok ? "good" : "msg";
};
if (document.body.dataset.role !== "technician") { $("run").disabled = true; $("run").title = t("viewerCannot"); }
`;

export const CONFIG_SCRIPT = `
let saveCommand = "config-save";
function showIssues(issues, okText) {
  const box = $("issues"); box.replaceChildren();
  $("cfgMsg").textContent = issues.length ? t("configProblems", { n: issues.length }) : okText;
  $("cfgMsg").className = issues.length ? "msg" : "good";
  for (const i of issues) {
    const d = document.createElement("div"); d.className = "issue"; d.dataset.path = i.path;
    d.textContent = (i.line ? t("line", { n: i.line }) + " · " : "") + i.path + ": " + i.message + (i.hint ? " (" + i.hint + ")" : "");
    if (i.line) d.onclick = () => selectLine(i.line);
    box.appendChild(d);
  }
}
function selectLine(n) {
  const lines = $("text").value.split("\\n"); let start = 0;
  for (let k = 0; k < n - 1 && k < lines.length; k++) start += lines[k].length + 1;
  $("text").focus(); $("text").setSelectionRange(start, start + (lines[n - 1] || "").length);
}
async function check() {
  const r = await fetch("/api/config/check", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: $("text").value }) });
  showIssues((await r.json()).issues || [], t("configOk"));
}
fetch("/api/config").then((r) => r.json()).then((c) => { $("file").textContent = c.file || c.error; $("text").value = c.text || ""; saveCommand = c.command || saveCommand; });
$("check").onclick = check;
$("save").onclick = async () => {
  const r = await command(saveCommand, { text: $("text").value });
  if (r.status === "ok") showIssues([], t("configSaved"));
  else if (r.data && r.data.issues) showIssues(r.data.issues, "");
  else { $("cfgMsg").textContent = r.status + " " + (r.code || "") + " " + ((r.data && r.data.detail) || ""); $("cfgMsg").className = "msg"; }
};
let timer; $("text").oninput = () => { clearTimeout(timer); timer = setTimeout(check, 600); };
if (document.body.dataset.role !== "technician") { $("save").disabled = true; $("save").title = t("viewerCannot"); }
`;

export const CARD_SCRIPT = `
function kind(format) {
  let m = /^uid-(\\d+)$/.exec(format); if (m) return t("kindUid", { n: m[1] });
  if (format === "serial-8") return t("kindResident");
  if (/^wiegand/.test(format)) return t("kindWiegand");
  if (/^pin/.test(format)) return t("kindKeypad");
  if (/^face/.test(format)) return t("kindFace");
  return format;
}
// The stream opens with the state, then replays recent events: only taps after that count.
let after = Infinity;
let until = 0, tick;
function identifyShow() {
  const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
  $("identifyMsg").textContent = left > 0 ? t("identifyOn", { s: left }) : t("identifyOff");
  $("identifyMsg").className = left > 0 ? "msg" : "";
  if (left === 0) { clearInterval(tick); tick = undefined; }
}
function identifyFor(seconds) { until = Date.now() + seconds * 1000; if (!tick) tick = setInterval(identifyShow, 1000); identifyShow(); }
function showCard(e, decision) {
  $("waiting").style.display = "none"; $("card").style.display = "";
  $("cReader").textContent = e.readerId;
  $("cKind").textContent = kind(e.format);
  $("cCred").textContent = e.credential.slice(0, 16) + "…";
  $("cPerson").textContent = e.personId || t("cardUnknown");
  $("cRole").textContent = e.role || "—";
  $("cStatus").textContent = e.status || "—";
  $("cDecision").textContent = decision;
  $("cTime").textContent = new Date(e.ts).toLocaleTimeString();
}
live({ state: (s) => { after = Math.min(after === Infinity ? s.events.lastSeq : after, s.events.lastSeq); }, event: (e) => {
  // live: its own seconds; replayed from before the page opened: what is left of it (may be none)
  if (e.type === "reader.identify-started") { identifyFor(e.seq > after ? e.seconds : Math.max(0, (Date.parse(e.until) - Date.now()) / 1000)); return; }
  if (e.type === "reader.identify-ended") { until = 0; identifyShow(); return; }
  if (e.seq <= after) return;
  if (e.type === "reader.card-identified") showCard(e, t("identifyDecision"));
  else if (e.type === "access.granted" || e.type === "access.denied") showCard(e, e.reason);
} });
$("identify").onclick = async () => {
  const r = await command("reader.identify", { active: true, seconds: 60 });
  if (r.status === "ok") identifyFor(r.data.secondsLeft);
  else { $("identifyMsg").textContent = r.status + " " + (r.code || "") + " " + ((r.data && r.data.detail) || ""); $("identifyMsg").className = "msg"; }
};
$("identifyStop").onclick = async () => { await command("reader.identify", { active: false }); until = 0; identifyShow(); };
if (document.body.dataset.role !== "technician") for (const b of ["identify", "identifyStop"]) { $(b).disabled = true; $(b).title = t("viewerCannot"); }
`;
