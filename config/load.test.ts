import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStationError } from "./errors.ts";
import { stationJsonSchema } from "./json-schema.ts";
import { type ConfigIssue, formatIssues, loadConfigFile, parseConfigText } from "./load.ts";
import { brokerUrl } from "./sections/mqtt.ts";

const here = (p: string) => join(import.meta.dirname, p);

const minimal = `
station: { id: st-1 }
hardware:
  mode: simulated
  gpio:
    lockRelay: { pin: 17 }
    doorContact: { pin: 27 }
    exitButton: { pin: 22 }
door: { lockMode: fail-secure }
`;

function issuesOf(text: string): ConfigIssue[] {
  const r = parseConfigText(text, "/base");
  if (r.ok) throw new Error("expected the file to be invalid");
  return r.issues;
}

describe("station config", () => {
  it("fills defaults into a minimal file and resolves relative paths against the file", () => {
    const r = parseConfigText(`${minimal}\ndataDir: data\n`, "/etc/ws");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.dataDir).toBe("/etc/ws/data");
    expect(r.config.secretsFile).toBe("/etc/waystation/secrets.yaml");
    expect(r.config.door.unlockMs).toBe(5000);
    expect(r.config.mqtt.url).toBeUndefined();
    expect(brokerUrl(r.config)).toBe("mqtt://127.0.0.1:1883");
    expect(r.config.hardware.gpio.doorContact).toEqual({ pin: 27, activeLow: true, debounceMs: 20 });
  });

  it("a station on real hardware must name its broker: the path, the line and a hint", () => {
    const real = minimal.replace("mode: simulated", "mode: real");
    const issues = issuesOf(`${real}mqtt: { keepaliveS: 30 }\n`);
    expect(issues).toEqual([
      {
        path: "mqtt.url",
        message: "a station on real hardware must name its broker",
        hint: expect.stringContaining("Required with hardware.mode: real"),
        line: 10,
      },
    ]);
    const ok = parseConfigText(`${real}mqtt: { url: "mqtts://broker.example:8883" }\n`);
    expect(ok.ok && brokerUrl(ok.config)).toBe("mqtts://broker.example:8883");
  });

  it.each([
    {
      name: "a wrong enum value names the choices",
      text: minimal.replace("fail-secure", "fail-open"),
      path: "door.lockMode",
      hint: /"fail-secure", "fail-safe"/,
      line: 9,
    },
    {
      name: "a BCM number out of range says what a BCM number is",
      text: minimal.replace("pin: 17", "pin: 40"),
      path: "hardware.gpio.lockRelay.pin",
      hint: /BCM GPIO number/,
      line: 6,
    },
    {
      name: "a misspelt key gets a suggestion",
      text: `${minimal}\nconsole: { prot: 9000 }\n`,
      path: "console.prot",
      hint: /did you mean "port"/,
      line: 11,
    },
    {
      name: "a missing required section is reported as missing",
      text: minimal.replace("door: { lockMode: fail-secure }", ""),
      path: "door",
      message: /required setting is missing/,
    },
    {
      name: "a station id that cannot be a topic level is refused",
      text: minimal.replace("st-1", "'a/b'"),
      path: "station.id",
      hint: /MQTT topic/,
    },
    {
      name: "a clear card number in the allow-list is refused",
      text: `${minimal}\naccess: { allowList: [{ personId: p1, credential: 04A1B2C3 }] }\n`,
      path: "access.allowList[0].credential",
      hint: /never the UID/,
    },
  ])("$name", ({ text, path, hint, line, message }) => {
    const issues = issuesOf(text);
    const issue = issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    if (hint) expect(issue?.hint).toMatch(hint);
    if (message) expect(issue?.message).toMatch(message);
    if (line) expect(issue?.line).toBe(line);
  });

  it("refuses two lines on one pin", () => {
    const issues = issuesOf(`${minimal}`.replace("exitButton: { pin: 22 }", "exitButton: { pin: 27 }"));
    expect(issues.find((i) => i.path === "hardware.gpio.exitButton.pin")?.message).toContain(
      "already gpio.doorContact",
    );
  });

  it("reports every problem at once, not just the first", () => {
    const text = minimal
      .replace("fail-secure", "nope")
      .replace("pin: 17", "pin: -1")
      .replace("st-1", "UPPER");
    const paths = issuesOf(text).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(["door.lockMode", "hardware.gpio.lockRelay.pin", "station.id"]),
    );
  });

  it("reports broken YAML with its line", () => {
    const issues = issuesOf("station:\n  id: [unclosed\n");
    expect(issues[0]?.path).toBe("(yaml)");
    expect(issues[0]?.line).toBeGreaterThan(0);
  });

  it("formats issues for a terminal with paths, lines and hints", () => {
    const text = formatIssues("x.yaml", issuesOf(minimal.replace("fail-secure", "fail-open")));
    expect(text).toContain("x.yaml: 1 problem");
    expect(text).toContain("door.lockMode (line 9)");
    expect(text).toContain("hint: one of");
  });

  it("loadConfigFile throws a typed error carrying the issues", () => {
    try {
      loadConfigFile(here("does-not-exist.yaml"));
      expect.unreachable();
    } catch (err) {
      expect(isStationError(err, "CONFIG_UNREADABLE")).toBe(true);
    }
  });

  it.each(["demo.yaml", "examples/raspberry-pi.yaml"])("the shipped %s is valid", (file) => {
    const config = loadConfigFile(here(file));
    expect(config.station.id).toMatch(/^[a-z0-9]/);
  });

  it("config/schema.json is in sync with the zod schema (regenerate: waystation config schema --write)", () => {
    const onDisk = JSON.parse(readFileSync(here("schema.json"), "utf8"));
    expect(onDisk).toEqual(stationJsonSchema());
  });
});
