import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { provisionStation } from "../scripts/commands/provision.ts";
import { freePort } from "./support/net.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The console as a technician uses it, in Debian's chromium driven by playwright-core: log in,
 * a lockout, a card tap appearing live, a selftest with live results, a config error fixed in
 * the editor, a viewer refused, the Chinese pages. One browser for the whole file.
 */
const chromium = daemon("chromium", "chromium");
/** what the page functions below touch (the project's TypeScript has no DOM library) */
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  documentElement: { lang: string };
};
const TECH = { user: "tech", password: "tech-password-1234" };
const NIGHT = { user: "night", password: "night-password-1234" };
const WATCH = { user: "watch", password: "watch-password-1234" };
const CARD = "04A1B2C3";
const T = 20_000;

describe("the console in a real browser", () => {
  if (!realStackAvailable(chromium)) return;
  let browser: Browser;
  let booted: BootedStation;
  let base: string;
  let file: string;
  let tech: Page;
  const events: StationEvent[] = [];

  async function loginPage(ctx: BrowserContext, who: { user: string; password: string }): Promise<Page> {
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/login`);
    await page.fill("#user", who.user);
    await page.fill("#password", who.password);
    await page.click("#loginBtn");
    return page;
  }

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-browser-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      console: `{ port: ${port}, language: en }`,
      door: "{ lockMode: fail-secure, unlockMs: 1500 }",
      allowUid: CARD,
    });
    const now = new Date();
    await provisionStation({ configFile: file, role: "technician", replace: false, now, ...TECH });
    await provisionStation({ configFile: file, role: "technician", replace: false, now, ...NIGHT });
    await provisionStation({ configFile: file, role: "viewer", replace: false, now, ...WATCH });
    booted = await bootStation({
      config: loadConfigFile(file),
      logger: pino({ level: "silent" }),
      swingShutMs: 300,
      configFile: file,
      pcscStack: "off",
    });
    booted.station.bus.subscribe((e) => events.push(e));
    const { chromium: pw } = await import("playwright-core");
    browser = await pw.launch({ executablePath: chromium.path, args: ["--no-sandbox", "--disable-gpu"] });
    tech = await loginPage(await browser.newContext(), TECH);
    await tech.waitForURL(`${base}/`, { timeout: T });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await booted?.stop();
  });

  it("logs in to the live station: door and lock from the state, live", async () => {
    await tech.goto(`${base}/`);
    await expect.poll(() => tech.textContent("#conn"), { timeout: T }).toBe("live");
    expect(await tech.textContent("#lock")).toBe("locked");
    expect(await tech.textContent("#leafText")).toBe("door closed");
    expect(await tech.textContent("#who")).toBe("tech · technician");
    expect(events.some((e) => e.type === "console.login" && e.user === "tech")).toBe(true);
  });

  it("a card tapped at the reader appears live: its kind and credential, never its number", async () => {
    // a tap from before the page opened is replayed by the stream, but is not this card
    const from = events.length;
    booted.sim?.control.tap("DEADBEEF");
    await waitFor(() => events.slice(from).some((e) => e.type === "access.denied"), "the earlier tap", T);
    await tech.goto(`${base}/card`);
    await expect.poll(() => tech.textContent("#conn"), { timeout: T }).toBe("live");
    // an absence cannot be waited for: give the replayed events a moment to arrive, then look
    await new Promise((r) => setTimeout(r, 300));
    expect(await tech.isVisible("#waiting")).toBe(true);
    booted.sim?.control.tap(CARD);
    await tech.waitForSelector("#card", { state: "visible", timeout: T });
    expect(await tech.textContent("#cKind")).toBe("contactless card UID (4 bytes)");
    expect(await tech.textContent("#cPerson")).toBe("p1");
    expect(await tech.textContent("#cDecision")).toBe("granted");
    expect(await tech.textContent("#cCred")).toMatch(/^[0-9a-f]{16}…$/);
    expect((await tech.content()).toUpperCase()).not.toContain(CARD);
  });

  /** a time condition, not a state one: the same card is decided again only after the window */
  const pastRereadWindow = async () => {
    const last = events.findLast((e) => "credential" in e);
    const waitMs = 3000 + 200 - (Date.now() - Date.parse(last?.ts ?? "1970-01-01T00:00:00Z"));
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  };

  it("identify mode: a known card is shown and the door stays shut; it ends by itself", async () => {
    await waitFor(() => booted.station.entrance.door.snapshot().lock === "locked", "the door relocked", T);
    await tech.goto(`${base}/card`);
    await expect.poll(() => tech.textContent("#conn"), { timeout: T }).toBe("live");
    const from = events.length;
    await tech.click("#identify");
    await expect
      .poll(() => tech.textContent("#identifyMsg"), { timeout: T })
      .toMatch(/^Identify mode: .* in \d+ s\.$/);
    // past the reader's re-read window (access.rereadSuppressMs) of the earlier tap of this card
    await pastRereadWindow();
    booted.sim?.control.tap(CARD);
    await expect
      .poll(() => tech.textContent("#cDecision"), { timeout: T })
      .toBe("identified only: the door stayed shut");
    expect(await tech.textContent("#cPerson")).toBe("p1");
    expect(await tech.textContent("#cStatus")).toBe("active");
    expect(events.slice(from).map((e) => e.type)).not.toContain("access.granted");
    expect(booted.station.entrance.door.snapshot().lock).toBe("locked");
    // audited through the command router with the technician's name
    expect(events.slice(from)).toContainEqual(
      expect.objectContaining({
        type: "cmd.executed",
        name: "reader.identify",
        principal: "local:console:tech",
      }),
    );
    // it ends by itself (the timer is tested on a manual clock in identify-mode.test.ts); here
    // the page must follow the station's end of it without a reload
    booted.station.entrance.identify.end("timeout");
    await expect
      .poll(() => tech.textContent("#identifyMsg"), { timeout: T })
      .toBe("Identify mode is off: a known card opens the door as usual.");
    await pastRereadWindow();
    booted.sim?.control.tap(CARD);
    await expect.poll(() => tech.textContent("#cDecision"), { timeout: T }).toBe("granted");
  });

  it("the event log filters the journal's history by type and text, and by a start time", async () => {
    await tech.goto(`${base}/events`);
    await expect.poll(() => tech.textContent("#conn"), { timeout: T }).toBe("live");
    await tech.fill("#ftype", "reader.");
    await tech.fill("#ftext", "p1");
    await tech.click('#filterForm button[type="submit"]');
    const types = () => tech.$$eval("#rows td.type", (tds) => tds.map((td) => td.textContent));
    await expect.poll(types, { timeout: T }).toContain("reader.card-identified");
    // reader events about p1's card: the identified tap only (not the mode's start and end)
    expect(await types()).toEqual(["reader.card-identified"]);
    // a start time after all of it: nothing
    await tech.fill("#fsince", "2099-01-01T00:00");
    await tech.click('#filterForm button[type="submit"]');
    await expect.poll(types, { timeout: T }).toEqual([]);
  });

  it("runs the selftest with its progress live, then the result per item", async () => {
    // the card tap before unlocked the door: the lock pulse wants it locked again first
    await waitFor(() => booted.station.entrance.door.snapshot().lock === "locked", "the door relocked", T);
    await tech.goto(`${base}/selftest`);
    await expect.poll(() => tech.textContent("#conn"), { timeout: T }).toBe("live");
    // what the summary said when the first progress line was shown: the run was still going
    await tech.evaluate(`new MutationObserver((_, o) => { window.summaryAtFirstLine = document.getElementById("summary").textContent; o.disconnect(); })
      .observe(document.getElementById("progress"), { childList: true })`);
    await tech.click("#run");
    // a function, not a string: the console's CSP forbids eval, and playwright evals strings
    await tech.waitForFunction(
      () => /passed/.test(document.getElementById("summary")?.textContent ?? ""),
      null,
      {
        timeout: 60_000,
      },
    );
    expect(await tech.evaluate("window.summaryAtFirstLine")).toBe("running…");
    const items = await tech.locator("#items tr").allTextContents();
    expect(await tech.textContent("#summary"), items.join("\n")).toMatch(
      /^PASS: 4 passed, 0 failed, 0 skipped$/,
    );
    expect(await tech.locator("#items tr").count()).toBe(4);
    expect(await tech.locator("#progress li").first().textContent()).toBe("[1/4] input levels ...");
  }, 90_000);

  it("shows a config error inline at its line and saves once it is fixed, through the command runner", async () => {
    const before = readFileSync(file, "utf8");
    await tech.goto(`${base}/config`);
    await expect.poll(() => tech.inputValue("#text"), { timeout: T }).toContain("lockMode: fail-secure");
    const text = await tech.inputValue("#text");
    await tech.fill("#text", text.replace("lockMode: fail-secure", "lockMode: fail-sometimes"));
    await tech.click("#save");
    const issue = tech.locator('.issue[data-path="door.lockMode"]');
    await issue.waitFor({ timeout: T });
    expect(await issue.textContent()).toMatch(/^line \d+ · door\.lockMode: /);
    expect(readFileSync(file, "utf8")).toBe(before);
    await tech.fill("#text", text.replace("unlockMs: 1500", "unlockMs: 2000"));
    await tech.click("#save");
    await expect
      .poll(() => tech.textContent("#cfgMsg"), { timeout: T })
      .toBe("Saved. Restart the station to use it.");
    expect(await tech.locator(".issue").count()).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("unlockMs: 2000");
    const saves = events.filter((e) => e.type === "cmd.executed" && e.name === "config-save");
    // both attempts audited: the refused one with its code, then the save
    expect(saves.map((e) => (e as { code?: string }).code)).toEqual(["CONFIG_INVALID", "SAVED"]);
  });

  it("a wrong password five times locks the name out (journalled); then even the right one is refused", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    for (let i = 0; i < 5; i++) {
      await page.fill("#user", NIGHT.user);
      await page.fill("#password", `wrong-${i}-password`);
      await page.click("#loginBtn");
      await expect.poll(() => page.textContent("#loginMsg"), { timeout: T }).not.toBe("");
      if (i < 4) expect(await page.textContent("#loginMsg")).toBe("Wrong user name or password.");
      await page.evaluate(`document.getElementById("loginMsg").textContent = ""`);
    }
    await waitFor(() => events.find((e) => e.type === "console.lockout"), "the lockout event", T);
    expect(events.find((e) => e.type === "console.lockout")).toMatchObject({ user: "night", failures: 5 });
    await page.fill("#user", NIGHT.user);
    await page.fill("#password", NIGHT.password);
    await page.click("#loginBtn");
    await expect.poll(() => page.textContent("#loginMsg"), { timeout: T }).toMatch(/locked/);
    expect(page.url()).toBe(`${base}/login`);
    await ctx.close();
  });

  it("a viewer sees the station but the server refuses its changes, whatever the page does", async () => {
    const ctx = await browser.newContext();
    const page = await loginPage(ctx, WATCH);
    await page.waitForURL(`${base}/`, { timeout: T });
    await page.goto(`${base}/selftest`);
    expect(await page.isDisabled("#run")).toBe(true);
    const forged = await page.evaluate(async () => {
      const r = await fetch("/api/command", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "fire-reset", args: {} }),
      });
      return r.status;
    });
    expect(forged).toBe(403);
    await ctx.close();
  });

  it("the pages in Simplified Chinese, switched per browser", async () => {
    await tech.goto(`${base}/events`);
    await tech.click('button[data-lang="zh-CN"]');
    await tech.waitForFunction(() => document.documentElement.lang === "zh-CN", null, { timeout: T });
    expect(await tech.textContent("header nav a.on")).toBe("事件日志");
    expect(await tech.textContent("#logout")).toBe("退出登录");
    await tech.goto(`${base}/`);
    await expect.poll(() => tech.textContent("#lock"), { timeout: T }).toBe("已上锁");
    await tech.goto(`${base}/card`);
    expect(await tech.textContent("#waiting")).toBe("等待刷卡…");
    const other = await browser.newContext();
    const page = await other.newPage();
    await page.goto(`${base}/login`);
    expect(await page.textContent("#loginBtn")).toBe("Log in");
    await other.close();
  });
});
