import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { captureLogger } from "./support/capture-log.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";

const booted: BootedStation[] = [];
afterEach(async () => {
  for (const b of booted.splice(0)) await b.stop();
});

async function boot(
  mqtt: string[],
  console?: string,
  door?: string,
): Promise<{ station: BootedStation; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "ws-insecure-"));
  const port = await freePort();
  const file = writeStationFile(dir, {
    brokerUrl: `mqtts://127.0.0.1:${port}`,
    mqtt,
    ...(console ? { console } : {}),
    ...(door ? { door } : {}),
  });
  const { logger, lines } = captureLogger("debug");
  const station = await bootStation({ config: loadConfigFile(file), logger });
  booted.push(station);
  return { station, lines };
}

describe("settings that weaken a station, allowed, are loud", () => {
  it("an unverified broker certificate: a warning at start, an event, and insecure in state", async () => {
    const { station, lines } = await boot(["tls: { rejectUnauthorized: false, allowInsecure: true }"]);
    expect(
      lines.some((l) => l.includes("insecure setting") && l.includes("mqtt.tls.rejectUnauthorized")),
    ).toBe(true);
    expect(lines.some((l) => l.includes("event security.insecure-setting"))).toBe(true);
    expect(station.station.state().insecure).toBe(true);
  });

  it("a console on every interface: a warning, but not the insecure flag", async () => {
    const port = await freePort();
    const { station, lines } = await boot([], `{ host: "0.0.0.0", port: ${port} }`);
    expect(lines.some((l) => l.includes("insecure setting") && l.includes("console.host"))).toBe(true);
    expect(station.station.state().insecure).toBeUndefined();
  });

  it("a plain station says nothing of the kind", async () => {
    const { station, lines } = await boot([]);
    expect(lines.some((l) => l.includes("insecure setting"))).toBe(false);
    expect(station.station.state().insecure).toBeUndefined();
  });

  it("a deprecated time zone key: a warning at start naming it, not an insecure setting", async () => {
    const { station, lines } = await boot(
      [],
      undefined,
      "{ lockMode: fail-secure, passage: { timezone: Asia/Urumqi } }",
    );
    expect(
      lines.some(
        (l) =>
          l.includes('"level":40') &&
          l.includes("door.passage.timezone is deprecated") &&
          l.includes("Asia/Urumqi"),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes("insecure setting"))).toBe(false);
    expect(station.station.state().insecure).toBeUndefined();
  });
});
