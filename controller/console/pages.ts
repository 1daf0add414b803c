import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sessionOf } from "./auth-routes.ts";
import type { ConsoleContext } from "./console-server.ts";
import { type Key, type Lang, pickLang, t } from "./i18n.ts";
import { LIVE_SCRIPT, liveBody } from "./live-page.ts";
import { CARD_SCRIPT, CONFIG_SCRIPT, EVENTS_SCRIPT, LOGIN_SCRIPT, SELFTEST_SCRIPT } from "./page-scripts.ts";
import { esc, type PageName, shell } from "./page-shell.ts";
import { LANG_COOKIE, readCookie } from "./sessions.ts";

type Body = (lang: Lang, ctx: ConsoleContext) => string;

const h = (lang: Lang, k: Key) => esc(t(lang, k));

const loginBody: Body = (lang) => `<main><section style="max-width:380px">
<h2>${h(lang, "loginTitle")}</h2>
<form id="loginForm">
  <p><label>${h(lang, "user")}<br><input id="user" name="user" autocomplete="username" autocapitalize="none" required></label></p>
  <p><label>${h(lang, "password")}<br><input id="password" name="password" type="password" autocomplete="current-password" required></label></p>
  <button id="loginBtn" type="submit">${h(lang, "loginBtn")}</button>
</form>
<p class="msg" id="loginMsg" role="alert"></p>
<p style="font-size:13px;color:#5b6475">${h(lang, "loginHint")}</p>
</section></main>`;

const eventsBody: Body = (lang) => `<main><section class="wide">
<h2>${h(lang, "navEvents")}</h2>
<form id="filterForm">
  <input id="ftype" placeholder="${h(lang, "filterType")}" aria-label="${h(lang, "filterType")}">
  <input id="ftext" placeholder="${h(lang, "filterText")}" aria-label="${h(lang, "filterText")}">
  <label>${h(lang, "filterSince")} <input id="fsince" type="datetime-local" aria-label="${h(lang, "filterSince")}"></label>
  <button type="submit">${h(lang, "filterApply")}</button>
</form>
<div>${["", "access.", "door.", "alarm.", "cmd.", "console.", "selftest.", "occupancy.", "outlet."]
  .map((p) => `<button data-prefix="${p}">${p === "" ? h(lang, "evAll") : esc(p)}</button>`)
  .join("")}</div>
<table><thead><tr><th>${h(lang, "evTime")}</th><th>${h(lang, "evType")}</th><th>${h(lang, "evDetails")}</th></tr></thead><tbody id="rows"></tbody></table>
<p><button id="older">${h(lang, "evOlder")}</button></p>
</section></main>`;

const selftestBody: Body = (lang) => `<main><section class="wide">
<h2>${h(lang, "navSelftest")}</h2>
<p>${h(lang, "selftestIntro")}</p>
<p><label><input type="checkbox" id="attended"> ${h(lang, "attended")}</label></p>
<button id="run">${h(lang, "selftestRun")}</button>
<ol id="progress" style="font-family:ui-monospace,monospace;font-size:13px"></ol>
<p id="summary"></p>
<table><tbody id="items"></tbody></table>
</section></main>`;

const configBody: Body = (lang) => `<main><section class="wide">
<h2>${h(lang, "navConfig")}</h2>
<p>${h(lang, "configIntro")} <code id="file"></code></p>
<textarea id="text" rows="24" spellcheck="false" aria-label="${h(lang, "navConfig")}"></textarea>
<div><button id="check">${h(lang, "configCheck")}</button><button id="save" data-change>${h(lang, "configSave")}</button></div>
<p id="cfgMsg" role="status"></p>
<div id="issues"></div>
</section></main>`;

const cardBody: Body = (lang) => `<main><section>
<h2>${h(lang, "navCard")}</h2>
<p>${h(lang, "cardIntro")}</p>
<div><button id="identify" data-change>${h(lang, "identifyStart")}</button><button id="identifyStop" data-change>${h(lang, "identifyStop")}</button></div>
<p id="identifyMsg" role="status">${h(lang, "identifyOff")}</p>
<p id="waiting"><b>${h(lang, "cardWaiting")}</b></p>
<dl class="kv" id="card" style="display:none">
  <dt>${h(lang, "cardKind")}</dt><dd id="cKind"></dd>
  <dt>${h(lang, "cardCredential")}</dt><dd id="cCred" style="font-family:ui-monospace,monospace"></dd>
  <dt>${h(lang, "cardPerson")}</dt><dd id="cPerson"></dd>
  <dt>${h(lang, "cardRole")}</dt><dd id="cRole"></dd>
  <dt>${h(lang, "cardStatus")}</dt><dd id="cStatus"></dd>
  <dt>${h(lang, "cardDecision")}</dt><dd id="cDecision"></dd>
  <dt>${h(lang, "cardReader")}</dt><dd id="cReader"></dd>
  <dt>${h(lang, "time")}</dt><dd id="cTime"></dd>
</dl>
</section></main>`;

const PAGES: { page: PageName; path: string; body: Body; script: string }[] = [
  {
    page: "live",
    path: "/",
    body: (lang, ctx) =>
      liveBody(
        lang,
        ctx.extensions.flatMap((e) => (e.panel ? [e.panel] : [])),
      ),
    script: LIVE_SCRIPT,
  },
  { page: "events", path: "/events", body: eventsBody, script: EVENTS_SCRIPT },
  { page: "selftest", path: "/selftest", body: selftestBody, script: SELFTEST_SCRIPT },
  { page: "config", path: "/config", body: configBody, script: CONFIG_SCRIPT },
  { page: "card", path: "/card", body: cardBody, script: CARD_SCRIPT },
];

function langOf(ctx: ConsoleContext, req: FastifyRequest): Lang {
  return pickLang(readCookie(req.headers.cookie, LANG_COOKIE), ctx.opts.language ?? "zh-CN");
}

function html(reply: FastifyReply, text: string): FastifyReply {
  return reply
    .header("content-type", "text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(text);
}

export function registerPages(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get("/login", { config: { auth: "public" } }, async (req, reply) => {
    if (sessionOf(ctx, req)) return reply.redirect("/");
    const lang = langOf(ctx, req);
    return html(
      reply,
      shell({ lang, title: ctx.opts.title, page: "login", body: loginBody(lang, ctx), script: LOGIN_SCRIPT }),
    );
  });
  for (const p of PAGES) {
    app.get(p.path, { config: { auth: "page" } }, async (req, reply) => {
      const lang = langOf(ctx, req);
      const session = sessionOf(ctx, req);
      return html(
        reply,
        shell({
          lang,
          title: ctx.opts.title,
          page: p.page,
          session,
          body: p.body(lang, ctx),
          script: p.script,
        }),
      );
    });
  }
}
