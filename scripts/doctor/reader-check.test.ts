import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseConfigText } from "../../config/load.ts";
import type { StationConfig } from "../../config/schema.ts";
import { offlineChecks } from "./offline-checks.ts";
import { READER_CAUSES, readerCheck } from "./reader-check.ts";

/** doctor's `entrance.readers` with the station stopped: each cause over a made-up USB sysfs. */
const EXAMPLE = resolve(import.meta.dirname, "..", "..", "config", "examples", "raspberry-pi.yaml");

function station(readers?: unknown[]): StationConfig {
  const doc = parseDocument(readFileSync(EXAMPLE, "utf8"));
  if (readers) doc.setIn(["hardware", "readers"], doc.createNode(readers));
  const r = parseConfigText(doc.toString(), resolve(EXAMPLE, ".."));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

/** A USB tree as sysfs shows it: a hub interface, and the given devices each with one interface. */
function usb(devices: { at: string; cls: string; manufacturer?: string; product?: string }[]): string {
  const root = mkdtempSync(join(tmpdir(), "ws-usb-"));
  const put = (dir: string, file: string, text: string) => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, file), `${text}\n`);
  };
  put("1-0:1.0", "bInterfaceClass", "09");
  for (const d of devices) {
    put(`${d.at}:1.0`, "bInterfaceClass", d.cls);
    if (d.manufacturer) put(d.at, "manufacturer", d.manufacturer);
    if (d.product) put(d.at, "product", d.product);
  }
  return root;
}

const ACR = { at: "1-1.2", cls: "0b", manufacturer: "ACS", product: "ACR122U PICC Interface" };

describe("doctor: readers present (station stopped)", () => {
  it("the configured ACR122U on the bus: pass, by the name pcscd will give it", async () => {
    const r = await readerCheck(station(), usb([ACR, { at: "1-1.3", cls: "08" }])).run();
    expect(r).toMatchObject({ ok: true, detail: "plugged in: ACS ACR122U PICC Interface" });
  });

  it("no smart-card reader on the bus (a USB stick is not one): cause none", async () => {
    const r = await readerCheck(station(), usb([{ at: "1-1.3", cls: "08", product: "Flash" }])).run();
    expect(r).toMatchObject({ ok: false, hint: READER_CAUSES.none.hint });
    expect(r.detail).toContain("entry: no smart-card reader on the USB bus");
  });

  it("another reader than readerName names: cause name, with what is plugged in", async () => {
    const other = { ...ACR, product: "ACR1252 Dual Reader" };
    const r = await readerCheck(station(), usb([other])).run();
    expect(r).toMatchObject({ ok: false, hint: READER_CAUSES.name.hint });
    expect(r.detail).toBe('entry wants "ACR122U"; plugged in: ACS ACR1252 Dual Reader');
    // without readerName the first reader is taken: any smart-card reader will do
    const any = station([{ id: "entry", kind: "pcsc" }]);
    expect(await readerCheck(any, usb([other])).run()).toMatchObject({ ok: true });
  });

  it("only Wiegand readers, or no USB bus here: skipped, saying who checks them", async () => {
    const wiegand = station([{ id: "gate", kind: "wiegand", d0: 23, d1: 24 }]);
    const r = await readerCheck(wiegand, usb([])).run();
    expect(r).toMatchObject({ ok: true, skipped: true });
    expect(r.detail).toContain("gate (Wiegand) answer only to a card");
    const none = await readerCheck(station(), join(tmpdir(), "no-such-usb-root")).run();
    expect(none).toMatchObject({ ok: true, skipped: true });
  });

  it("is among doctor's offline checks on real hardware, with its causes for troubleshooting.md", () => {
    const c = offlineChecks(station()).find((x) => x.id === "entrance.readers");
    expect(c?.causes).toEqual(Object.values(READER_CAUSES));
  });
});
