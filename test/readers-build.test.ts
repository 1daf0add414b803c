import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../config/load.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { createIdentifierHasher } from "../device/identity/hasher.ts";
import { PcscCardReader } from "../device/pcsc/pcsc-reader.ts";
import { WiegandReader } from "../device/wiegand/wiegand-reader.ts";
import { buildReaders } from "../scripts/readers.ts";
import { SimCardReader } from "../simulator/card-reader.ts";
import { captureLogger } from "./support/capture-log.ts";

/** The composition root builds each configured reader by kind, on real and simulated hardware. */
function config(mode: "real" | "simulated", sysfsRoot: string) {
  const r = parseConfigText(`station: { id: build }
hardware:
  mode: ${mode}
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 }, sysfsRoot: ${sysfsRoot} }
  readers:
    - { id: entry, kind: pcsc, readerName: ACR122U }
    - { id: gate, kind: wiegand, d0: 5, d1: 6 }
    - { id: bench, kind: simulated }
door: { lockMode: fail-secure }
mqtt: { url: "mqtt://127.0.0.1:1883" }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

function fakeSysfs(): string {
  const root = mkdtempSync(join(tmpdir(), "ws-gpio-"));
  writeFileSync(join(root, "export"), "");
  mkdirSync(join(root, "gpiochip512"));
  writeFileSync(join(root, "gpiochip512", "label"), "pinctrl-bcm2711\n");
  writeFileSync(join(root, "gpiochip512", "base"), "512\n");
  writeFileSync(join(root, "gpiochip512", "ngpio"), "58\n");
  return root;
}

const deps = () => {
  const { logger, lines } = captureLogger("debug");
  return { clock: new ManualClock(), hasher: createIdentifierHasher("11".repeat(32)), logger, lines };
};

describe("building readers by kind", () => {
  it("real hardware: the PC/SC and Wiegand drivers; a simulated reader is skipped with a warning", async () => {
    const d = deps();
    const built = await buildReaders(config("real", fakeSysfs()), d);
    expect(built.readers.map((r) => [r.id, r.constructor])).toEqual([
      ["entry", PcscCardReader],
      ["gate", WiegandReader],
    ]);
    expect(built.paths).toEqual([
      { id: "entry", how: 'PC/SC reader matching "ACR122U"' },
      { id: "gate", how: "Wiegand on GPIO5/GPIO6" },
    ]);
    expect(d.lines.join("\n")).toContain("reader kind 'simulated' has no hardware on a real station");
    await built.stop();
  });

  it("simulated, PC/SC switched off: the in-process reader stands in, and says why", async () => {
    const d = deps();
    const built = await buildReaders(config("simulated", "/sys/class/gpio"), { ...d, pcscStack: "off" });
    expect(built.slots.map((s) => s.reader.constructor)).toEqual([
      SimCardReader,
      WiegandReader,
      SimCardReader,
    ]);
    expect(built.paths[0]?.how).toBe(
      "in-process simulated reader, because the PC/SC stack was switched off for this run (--no-pcscd)",
    );
    expect(built.paths[1]?.how).toMatch(/real Wiegand decoder/);
    expect(built.paths[2]?.how).toBe("in-process simulated reader");
    await built.stop();
  });
});
