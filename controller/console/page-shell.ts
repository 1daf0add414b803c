import { type Key, type Lang, STRINGS, t } from "./i18n.ts";
import type { ConsoleSession } from "./sessions.ts";

export type PageName = "live" | "events" | "selftest" | "config" | "card";

const NAV: { page: PageName; href: string; key: Key }[] = [
  { page: "live", href: "/", key: "navLive" },
  { page: "events", href: "/events", key: "navEvents" },
  { page: "selftest", href: "/selftest", key: "navSelftest" },
  { page: "config", href: "/config", key: "navConfig" },
  { page: "card", href: "/card", key: "navCard" },
];

export function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script> element: `<` escaped so no string can close the element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c");
}

/**
 * Light pages: one HTML document each, its style and script inline, no framework, no font, no
 * request to anywhere but the station (the Content-Security-Policy says so to the browser too).
 */
const CSS = `
:root{font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1d2330;background:#f3f5f8}
body{margin:0}
header{background:#1d2330;color:#fff;padding:10px 14px;display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center}
header h1{font-size:17px;margin:0}
header nav{display:flex;flex-wrap:wrap;gap:4px}
header nav a{color:#cfd6e3;text-decoration:none;padding:4px 8px;border-radius:6px;font-size:14px}
header nav a.on{background:#3a4457;color:#fff}
header .me{margin-left:auto;font-size:13px;display:flex;gap:8px;align-items:center}
header button{padding:3px 8px;margin:0;font-size:13px}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px;padding:14px}
section{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 3px #0002;min-width:0}
h2{font-size:14px;text-transform:uppercase;letter-spacing:.05em;color:#5b6475;margin:0 0 10px}
.pill{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:600;font-size:13px}
.ok,.locked{background:#dff3e4;color:#19692c}.bad,.unlocked{background:#fde2c8;color:#8a4300}
.kv{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;font-size:14px;margin:0}
.kv dt{color:#5b6475}.kv dd{margin:0;overflow-wrap:anywhere}
button{font:inherit;padding:8px 12px;margin:4px 4px 0 0;border-radius:6px;border:1px solid #aab3c2;background:#fff;cursor:pointer}
button:disabled{opacity:.5}
input,textarea{font:inherit;padding:6px;border:1px solid #aab3c2;border-radius:6px;box-sizing:border-box;max-width:100%}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:13px}
table{width:100%;border-collapse:collapse;font-size:13px}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e6e9ef;vertical-align:top;overflow-wrap:break-word}
td button{padding:4px 8px;margin:0}
td.t{white-space:nowrap;color:#5b6475;font-variant-numeric:tabular-nums}
.msg{font-size:14px;color:#b3261e;min-height:1em}.good{color:#19692c}
.wide{grid-column:1/-1}
.issue{cursor:pointer;color:#b3261e;font-size:14px;margin:4px 0}
pre{white-space:pre-wrap;font-size:13px;margin:0}
@media (max-width:600px){main{padding:8px;gap:8px}header .me{margin-left:0}}
`;

/** Shared by every page: the CSRF token on every change, strings, the live stream. */
const COMMON = `
const CSRF = document.querySelector('meta[name="csrf"]')?.content || "";
const I18N = JSON.parse(document.getElementById("i18n").textContent);
const t = (k, v) => (I18N[k] || k).replace(/\\{(\\w+)\\}/g, (_, x) => (v && v[x] !== undefined ? v[x] : ""));
const $ = (id) => document.getElementById(id);
const _fetch = window.fetch.bind(window);
// Every state-changing request carries the session's CSRF token (the simulator's panels' too).
window.fetch = (u, o) => { o = o || {}; const m = (o.method || "GET").toUpperCase();
  if (m !== "GET" && m !== "HEAD") o.headers = Object.assign({}, o.headers, { "x-csrf-token": CSRF });
  return _fetch(u, o); };
function randomId() { const b = new Uint8Array(16); crypto.getRandomValues(b); return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }
async function command(name, args, id) {
  const r = await fetch("/api/command", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, args, id }) });
  if (r.status === 401) { location.href = "/login"; return {}; }
  const j = await r.json().catch(() => ({}));
  return r.ok ? j : { status: "error", code: j.error || "HTTP_" + r.status };
}
function live(handlers) {
  const es = new EventSource("/api/stream");
  es.addEventListener("open", () => { $("conn").textContent = t("live"); });
  es.addEventListener("error", () => { $("conn").textContent = t("reconnecting"); });
  for (const k of Object.keys(handlers)) es.addEventListener(k, (m) => handlers[k](JSON.parse(m.data)));
  return es;
}
function cell(tr, text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
function eventRow(e) {
  const { id, seq, bootId, ts, type, stationId, timeQuality, ...rest } = e;
  const tr = document.createElement("tr");
  cell(tr, new Date(ts).toLocaleString(), "t"); cell(tr, type, "type");
  cell(tr, Object.entries(rest).map(([k, v]) => k + "=" + (k === "credential" ? String(v).slice(0, 12) + "…" : JSON.stringify(v))).join("  "));
  return tr;
}
document.querySelectorAll("[data-lang]").forEach((b) => { b.onclick = () => { document.cookie = "ws_lang=" + b.dataset.lang + "; path=/; SameSite=Strict"; location.reload(); }; });
const lo = $("logout"); if (lo) lo.onclick = async () => { await fetch("/api/logout", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }); location.href = "/login"; };
`;

export interface ShellInput {
  lang: Lang;
  title: string;
  page: PageName | "login";
  session?: ConsoleSession | undefined;
  body: string;
  script: string;
}

export function shell(p: ShellInput): string {
  const nav =
    p.page === "login"
      ? ""
      : `<nav>${NAV.map((n) => `<a href="${n.href}"${n.page === p.page ? ' class="on"' : ""}>${esc(t(p.lang, n.key))}</a>`).join("")}</nav>`;
  const other: Lang = p.lang === "en" ? "zh-CN" : "en";
  const me = p.session
    ? `<span id="who">${esc(p.session.user)} · ${esc(p.session.role)}</span><button id="logout">${esc(t(p.lang, "logout"))}</button>`
    : "";
  return `<!doctype html>
<html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${p.session ? `<meta name="csrf" content="${esc(p.session.csrf)}">` : ""}
<title>${esc(p.title)} · ${esc(t(p.lang, "appName"))}</title><style>${CSS}</style></head>
<body data-page="${p.page}" data-role="${p.session?.role ?? ""}">
<header><h1>${esc(p.title)}</h1>${nav}<span class="me">${me}<span id="conn"></span><button data-lang="${other}">${other === "en" ? "English" : "中文"}</button></span></header>
${p.body}
<script id="i18n" type="application/json">${scriptJson(STRINGS[p.lang])}</script>
<script>${COMMON}${p.script}</script>
</body></html>`;
}
