import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { StationConfig } from "../config/schema.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { bootStation } from "../scripts/boot.ts";
import { EmbeddedBroker } from "../scripts/embedded-broker.ts";
import {
  cardHash,
  entranceHarness,
  HARNESS_KEY,
  type Harness,
  harnessConfig,
  summary,
  worker,
} from "./support/entrance-harness.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { freePort } from "./support/net.ts";
import { waitFor } from "./support/wait.ts";

/**
 * docs/access-policy.md's degraded-mode table, row by row: each failure, what the station does.
 */
const ALWAYS = "04A1B2C3";
const NIGHT = "04A1D0A1"; // schedule-bound
const FACE = "04FACE01"; // needs a face check
const MIDDAY = Date.parse("2026-03-02T04:00:00Z"); // Monday 12:00 in Shanghai
const EVENING = Date.parse("2026-03-02T14:00:00Z"); // Monday 22:00

const creds = [worker(ALWAYS), worker(NIGHT, { schedule: "night" }), worker(FACE, { secondFactor: true })];
const yaml = (extra = "") => `door:
  lockMode: fail-secure
  passage: { windows: [{ from: "08:00", to: "20:00" }] }
access:
  rereadSuppressMs: 0
  schedules: { night: [{ from: "20:00", to: "08:00" }] }
${extra}`;

interface Row {
  failure: string;
  config?: string;
  wallTime?: number;
  /** put the station into the degraded condition */
  degrade: (h: Harness) => void;
  /** what a person does */
  act: (h: Harness) => void;
  expected: string[];
  check?: (h: Harness) => void;
}

const rows: Row[] = [
  {
    failure: "clock unknown: credentials valid at all times still open",
    wallTime: EVENING,
    degrade: (h) => h.sim.control.setTimeQuality("unknown"),
    act: (h) => h.sim.control.tap(ALWAYS),
    expected: ["access.granted:granted", "door.unlocked:grant"],
  },
  {
    failure: "clock unknown: schedule-bound credentials are refused, with the reason",
    wallTime: EVENING,
    degrade: (h) => h.sim.control.setTimeQuality("unknown"),
    act: (h) => h.sim.control.tap(NIGHT),
    expected: ["access.denied:time-unknown"],
  },
  {
    failure: "clock unknown: passage windows are not applied; the door stays locked, an alarm says why",
    wallTime: MIDDAY,
    degrade: () => {},
    act: (h) => {
      h.sim.control.setTimeQuality("unknown");
      h.clock.advance(2000);
    },
    expected: ["door.locked:passage-end"],
    check: (h) => {
      expect(h.entrance.snapshot().door.passage).toMatchObject({ active: false, suspended: "time-unknown" });
      expect(h.entrance.snapshot().alarms.map((a) => a.alarm)).toContain("time-unknown");
    },
  },
  {
    failure: "clock from the RTC only: schedules apply",
    wallTime: EVENING,
    degrade: (h) => h.sim.control.setTimeQuality("rtc"),
    act: (h) => h.sim.control.tap(NIGHT),
    expected: ["access.granted:granted", "door.unlocked:grant"],
  },
  {
    failure: "reader fault: the alarm is raised and the exit button still opens the door",
    degrade: (h) => h.sim.readers[0]?.setOnline?.(false),
    act: (h) => h.sim.control.pressExitButton(),
    expected: ["exit.requested", "door.unlocked:exit"],
    check: (h) => expect(h.entrance.snapshot().alarms.map((a) => a.alarm)).toContain("reader-offline"),
  },
  {
    failure: "face module down, policy deny (default): a card that needs a face is refused",
    degrade: () => {},
    act: (h) => h.sim.control.tap(FACE),
    expected: ["access.denied:needs-second-factor"],
  },
  {
    failure: "face module down, policy card-only: the card alone opens, and the event says so",
    config: "  degraded: { faceDown: card-only }\n",
    degrade: () => {},
    act: (h) => h.sim.control.tap(FACE),
    expected: ["access.granted:granted", "door.unlocked:grant"],
    check: (h) => expect((h.events[0] as { secondFactor?: string }).secondFactor).toBe("waived-face-down"),
  },
  {
    failure: "on UPS battery: an alarm; decisions do not change",
    degrade: (h) => h.sim.control.setOnBattery(true),
    act: (h) => h.sim.control.tap(ALWAYS),
    expected: ["access.granted:granted", "door.unlocked:grant"],
    check: (h) => expect(h.entrance.snapshot().alarms.map((a) => a.alarm)).toContain("on-battery"),
  },
  {
    failure: "on UPS battery with suspendPassageOnBattery: the passage window ends",
    config: "  degraded: { suspendPassageOnBattery: true }\n",
    wallTime: MIDDAY,
    degrade: () => {},
    act: (h) => {
      h.sim.control.setOnBattery(true);
      h.clock.advance(2000);
    },
    expected: ["door.locked:passage-end"],
  },
  {
    failure: "fire alarm: the door is released and held, whatever is tapped",
    degrade: (h) => h.sim.control.setFireAlarm(true),
    act: (h) => {
      h.sim.control.tap("0BADCAFE");
      h.clock.advance(120_000);
    },
    expected: ["access.denied:unknown"],
    check: (h) => expect(h.sim.door.physics().lockEngaged).toBe(false),
  },
];

describe("degraded modes", () => {
  it.each(rows)("$failure", async (row) => {
    const h = await entranceHarness({
      config: harnessConfig(yaml(row.config)),
      credentials: creds,
      wallTime: row.wallTime ?? Date.parse("2026-03-02T23:00:00Z"), // 07:00, outside the passage window
    });
    try {
      row.degrade(h);
      h.clock.advance(1000); // the passage scheduler's tick sees the new condition
      const from = h.events.length;
      row.act(h);
      const relevant = summary(h.events, from).filter(
        (e) => !e.startsWith("alarm.") && !e.startsWith("time.") && !e.startsWith("power."),
      );
      expect(relevant).toEqual(row.expected);
      row.check?.(h);
    } finally {
      await h.stop();
    }
  });
});

describe("central server unreachable", () => {
  const bootAt = async (mqttUrl: string) => {
    const dir = mkdtempSync(join(tmpdir(), "ws-degraded-"));
    const base = harnessConfig(yaml());
    const config: StationConfig = {
      ...base,
      dataDir: dir,
      mqtt: { ...base.mqtt, url: mqttUrl, protocolVersion: 4 },
      console: { ...base.console, enabled: false },
      access: { ...base.access, allowList: [] },
    };
    const clock = new ManualClock(EVENING);
    const booted = await bootStation({
      config,
      logger: pino({ level: "silent" }),
      secrets: { credentialKey: HARNESS_KEY },
      clock,
      seedCredentials: (store) => store.upsert(creds),
    });
    const seen: { type: string; reason: string; credential: string }[] = [];
    booted.station.bus.subscribe((e) => {
      if (e.type === "access.granted" || e.type === "access.denied") {
        seen.push({ type: e.type, reason: e.reason, credential: e.credential });
      }
    });
    return { booted, clock, seen };
  };
  const READS = [ALWAYS, NIGHT, FACE, "0BADCAFE", ALWAYS];

  it("gives the same decisions as online, for the same reads", async () => {
    const broker = new EmbeddedBroker("127.0.0.1", 0, pino({ level: "silent" }));
    await broker.start();
    const central = new MqttCapture(broker.url, "waystation/v1/+/events");
    await central.start();
    const decisions = async (mqttUrl: string, online: boolean) => {
      const { booted, clock, seen } = await bootAt(mqttUrl);
      const link = booted.station.mqtt.link;
      // Online means online: the station is connected before the first read, and the central
      // server receives every decision.
      if (online) await waitFor(() => link.connected, "the station connected to the broker", 10_000);
      for (const uid of READS) {
        booted.sim?.control.tap(uid);
        clock.advance(6000);
      }
      if (online) {
        await waitFor(
          () => central.events().filter((e) => String(e.type).startsWith("access.")).length === READS.length,
          "the decisions at the central server",
          10_000,
        );
      } else {
        expect(link.connections).toBe(0);
      }
      await booted.stop();
      return seen.map((d) => `${d.type}:${d.reason}`);
    };
    try {
      const online = await decisions(broker.url, true);
      const offline = await decisions(`mqtt://127.0.0.1:${await freePort()}`, false);
      expect(online).toEqual([
        "access.granted:granted",
        "access.granted:granted",
        "access.denied:needs-second-factor",
        "access.denied:unknown",
        "access.granted:granted",
      ]);
      expect(
        central
          .events()
          .filter((e) => String(e.type).startsWith("access."))
          .map((e) => `${e.type}:${e.reason}`),
      ).toEqual(online);
      expect(offline).toEqual(online);
    } finally {
      await central.stop();
      await broker.stop();
    }
  });

  it("the hashes tested here are the ones the station computes", async () => {
    const { booted, seen } = await bootAt(`mqtt://127.0.0.1:${await freePort()}`);
    try {
      for (const uid of READS) booted.sim?.control.tap(uid);
      expect(seen.map((d) => d.credential)).toEqual(READS.map(cardHash));
    } finally {
      await booted.stop();
    }
  });
});
