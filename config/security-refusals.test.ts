import { describe, expect, it } from "vitest";
import { type ConfigIssue, parseConfigText } from "./load.ts";
import { configWarnings } from "./warnings.ts";

const base = (mode: "real" | "simulated", extra = "") => `
station: { id: st-1 }
hardware:
  mode: ${mode}
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: fail-secure }
${extra}
`;

function issues(text: string): ConfigIssue[] {
  const r = parseConfigText(text, "/base");
  return r.ok ? [] : r.issues;
}

describe("settings that would weaken a station are refused", () => {
  it.each([
    {
      name: "a password in mqtt.url",
      text: base("simulated", `mqtt: { url: "mqtts://st-1:hunter2@broker.example:8883" }`),
      path: "mqtt.url",
    },
    {
      name: "a password in a failover URL",
      text: base("simulated", `mqtt: { failoverUrls: ["mqtt://u:p@b2.example:1883"] }`),
      path: "mqtt.failoverUrls[0]",
    },
    {
      name: "a tls block on a plain mqtt:// URL",
      text: base("simulated", `mqtt: { url: "mqtt://broker.example:1883", tls: { ca: /etc/ca.pem } }`),
      path: "mqtt.tls",
    },
    {
      name: "a tls block when one failover URL is plain",
      text: base(
        "simulated",
        `mqtt: { url: "mqtts://a.example:8883", failoverUrls: ["mqtt://b.example:1883"], tls: { ca: /etc/ca.pem } }`,
      ),
      path: "mqtt.tls",
    },
    {
      name: "rejectUnauthorized: false on real hardware",
      text: base("real", `mqtt: { url: "mqtts://broker.example:8883", tls: { rejectUnauthorized: false } }`),
      path: "mqtt.tls.rejectUnauthorized",
    },
  ])("$name", ({ text, path }) => {
    const found = issues(text);
    expect(found.map((i) => i.path)).toContain(path);
    // The refusal never repeats the secret it refuses.
    expect(JSON.stringify(found)).not.toContain("hunter2");
  });

  it("a user name alone in the URL is not a secret and is accepted", () => {
    expect(issues(base("simulated", `mqtt: { url: "mqtt://st-1@broker.example:1883" }`))).toEqual([]);
  });

  it("rejectUnauthorized: false with allowInsecure is accepted, and warned about as insecure", () => {
    const r = parseConfigText(
      base(
        "real",
        `mqtt: { url: "mqtts://b.example:8883", tls: { rejectUnauthorized: false, allowInsecure: true } }`,
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(configWarnings(r.config)).toEqual([
      expect.objectContaining({ setting: "mqtt.tls.rejectUnauthorized", insecure: true }),
    ]);
  });

  it("a console on every interface is warned about; on loopback it is not", () => {
    for (const host of ["0.0.0.0", "::"]) {
      const r = parseConfigText(base("simulated", `console: { host: "${host}" }`));
      expect(r.ok && configWarnings(r.config)).toEqual([
        expect.objectContaining({ setting: "console.host", insecure: false }),
      ]);
    }
    const quiet = parseConfigText(base("simulated"));
    expect(quiet.ok && configWarnings(quiet.config)).toEqual([]);
  });

  it("a YAML alias bomb is a config error, not a ReferenceError or an exhausted heap", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const n of ["b", "c", "d", "e", "f", "g", "h", "i"]) {
      const prev = levels.at(-1)?.[0] ?? "a";
      levels.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const r = parseConfigText(`${base("simulated")}\n${levels.join("\n")}\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      expect.objectContaining({ path: "(yaml)", message: expect.stringMatching(/aliases/) }),
    ]);
  });
});
