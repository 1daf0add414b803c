import { describe, expect, it } from "vitest";
import {
  type ControlSource,
  IDLE,
  type OutletInput,
  type OutletLimits,
  type OutletState,
  relayOn,
  step,
} from "./outlet-machine.ts";
import { OutletSchedule } from "./outlet-schedule.ts";

const L: OutletLimits = {
  maxCurrentA: 10,
  maxPowerW: 2000,
  maxTempC: 60,
  completeBelowW: 2,
  completeAfterMs: 60_000,
  maxSessionMs: 4 * 3600_000,
};
const CRED = "a".repeat(64);
const start = (source: ControlSource = "session", atMs = 0): OutletInput => ({
  type: "start",
  credential: CRED,
  personId: "p1",
  source,
  atMs,
});
const reading = (
  powerW: number,
  atMs: number,
  more: Partial<{ currentA: number; energyWh: number; tempC: number }> = {},
): OutletInput => ({
  type: "reading",
  atMs,
  powerW,
  currentA: more.currentA ?? powerW / 230,
  energyWh: more.energyWh ?? 0,
  ...(more.tempC !== undefined ? { tempC: more.tempC } : {}),
});
function run(inputs: OutletInput[], from: OutletState = IDLE) {
  let state = from;
  const effects: string[] = [];
  for (const i of inputs) {
    const r = step(state, i, L);
    state = r.state;
    for (const e of r.effects)
      effects.push(
        e.type === "ended" || e.type === "quarantined" || e.type === "refused"
          ? `${e.type}:${e.reason}`
          : e.type,
      );
  }
  return { state, effects, relay: relayOn(state) };
}
const charging = run([start()]).state;

describe("charging session machine", () => {
  it.each<{
    name: string;
    inputs: OutletInput[];
    mode: OutletState["mode"];
    relay: boolean;
    effects: string[];
  }>([
    {
      name: "a start powers the outlet",
      inputs: [start()],
      mode: "charging",
      relay: true,
      effects: ["started"],
    },
    {
      name: "a stop ends the session",
      inputs: [start(), { type: "stop", source: "session", atMs: 5 }],
      mode: "idle",
      relay: false,
      effects: ["started", "ended:stopped"],
    },
    {
      name: "a second start is refused while busy",
      inputs: [start(), start("command")],
      mode: "charging",
      relay: true,
      effects: ["started", "refused:busy"],
    },
    {
      name: "stop with nothing charging",
      inputs: [{ type: "stop", source: "command", atMs: 0 }],
      mode: "idle",
      relay: false,
      effects: ["refused:not-charging"],
    },
    {
      name: "charge complete: below the threshold for N minutes",
      inputs: [start(), reading(18, 1000), reading(1, 2000), reading(1, 61_000), reading(1, 62_000)],
      mode: "idle",
      relay: false,
      effects: ["started", "ended:charge-complete"],
    },
    {
      name: "a dip that recovers is not charge complete",
      inputs: [start(), reading(1, 1000), reading(18, 50_000), reading(1, 70_000), reading(1, 100_000)],
      mode: "charging",
      relay: true,
      effects: ["started"],
    },
    {
      name: "maximum session time",
      inputs: [start(), { type: "tick", atMs: L.maxSessionMs }],
      mode: "idle",
      relay: false,
      effects: ["started", "ended:max-time"],
    },
    {
      name: "over-current",
      inputs: [start(), reading(500, 10, { currentA: 12 })],
      mode: "quarantined",
      relay: false,
      effects: ["started", "ended:over-current", "quarantined:over-current"],
    },
    {
      name: "over-power",
      inputs: [start(), reading(2100, 10, { currentA: 9 })],
      mode: "quarantined",
      relay: false,
      effects: ["started", "ended:over-power", "quarantined:over-power"],
    },
    {
      name: "over-temperature in a reading",
      inputs: [start(), reading(100, 10, { tempC: 75 })],
      mode: "quarantined",
      relay: false,
      effects: ["started", "ended:over-temperature", "quarantined:over-temperature"],
    },
    {
      name: "over-temperature from the probe",
      inputs: [start(), { type: "temperature", tempC: 61, atMs: 10 }],
      mode: "quarantined",
      relay: false,
      effects: ["started", "ended:over-temperature", "quarantined:over-temperature"],
    },
    {
      name: "a lost meter",
      inputs: [start(), { type: "meter-lost", atMs: 10, detail: "MODBUS_TIMEOUT" }],
      mode: "quarantined",
      relay: false,
      effects: ["started", "ended:meter-lost", "quarantined:meter-lost"],
    },
    {
      name: "current on an idle outlet (a welded relay) quarantines it",
      inputs: [reading(900, 10, { currentA: 11 })],
      mode: "quarantined",
      relay: false,
      effects: ["quarantined:over-current"],
    },
    {
      name: "a quarantine stays until cleared",
      inputs: [start(), { type: "meter-lost", atMs: 1, detail: "x" }, reading(5, 2), start()],
      mode: "quarantined",
      relay: false,
      effects: ["started", "ended:meter-lost", "quarantined:meter-lost", "refused:quarantined"],
    },
    {
      name: "a technician clears it",
      inputs: [start(), { type: "meter-lost", atMs: 1, detail: "x" }, { type: "clear", atMs: 2 }, start()],
      mode: "charging",
      relay: true,
      effects: ["started", "ended:meter-lost", "quarantined:meter-lost", "cleared", "started"],
    },
    {
      name: "an idle outlet's lost meter refuses starts until it answers again (no quarantine)",
      inputs: [{ type: "meter-lost", atMs: 1, detail: "x" }, start(), reading(0, 3), start()],
      mode: "charging",
      relay: true,
      effects: ["refused:meter-lost", "started"],
    },
    {
      name: "a station-wide cut ends the session without quarantine",
      inputs: [start(), { type: "station-cut", active: true, atMs: 3 }],
      mode: "idle",
      relay: false,
      effects: ["started", "ended:station-safety"],
    },
    {
      name: "outside the schedule",
      inputs: [start(), { type: "schedule", allowed: false, atMs: 3 }, start()],
      mode: "idle",
      relay: false,
      effects: ["started", "ended:schedule", "refused:outside-schedule"],
    },
  ])("$name", ({ inputs, mode, relay, effects }) => {
    const r = run(inputs);
    expect(r.state.mode).toBe(mode);
    expect(r.relay).toBe(relay);
    expect(r.effects).toEqual(effects);
  });

  it("counts the session's energy from its first reading", () => {
    const r = run([start(), reading(100, 1, { energyWh: 1000 }), reading(100, 2, { energyWh: 1042 })]);
    expect(r.state.session?.energyWh).toBe(42);
  });
});

/** Every source of control loses to every safety cut: nothing turns a cut outlet back on. */
const CUTS: { cut: string; inputs: OutletInput[]; refusal: string }[] = [
  { cut: "over-current", inputs: [reading(3000, 5, { currentA: 16 })], refusal: "quarantined" },
  { cut: "over-power", inputs: [reading(2500, 5, { currentA: 9.5 })], refusal: "quarantined" },
  { cut: "over-temperature", inputs: [{ type: "temperature", tempC: 90, atMs: 5 }], refusal: "quarantined" },
  {
    cut: "meter-lost",
    inputs: [{ type: "meter-lost", atMs: 5, detail: "MODBUS_TIMEOUT" }],
    refusal: "quarantined",
  },
  {
    cut: "station-safety",
    inputs: [{ type: "station-cut", active: true, atMs: 5 }],
    refusal: "station-safety",
  },
];
/** The real feed (outlet-schedule.ts): 08:00-22:00 in Asia/Shanghai, read at these wall times. */
const HOURS = [
  { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const, from: "08:00", to: "22:00" },
];
const at = (hhmm: string) => Date.parse(`2026-12-02T${hhmm}:00+08:00`);
function fed(times: string[], holidays: string[] = []): OutletInput[] {
  const hours = new OutletSchedule(HOURS, "Asia/Shanghai", new Set(holidays));
  return times.flatMap((t, i) => {
    const input = hours.next(at(t), 10 + i);
    return input ? [input] : [];
  });
}
const SOURCES: { source: string; inputs: () => OutletInput[] }[] = [
  { source: "a person's session", inputs: () => [start("session", 10)] },
  { source: "a remote or local command", inputs: () => [start("command", 10)] },
  { source: "a tap at the outlet's reader", inputs: () => [start("tap", 10)] },
  {
    source: "the schedule opening at 08:00",
    inputs: () => [...fed(["07:59", "08:00"]), start("session", 20)],
  },
  {
    source: "a command inside the opening hours",
    inputs: () => [...fed(["12:00"]), start("command", 20)],
  },
  {
    source: "a stop-then-start by command",
    inputs: () => [{ type: "stop", source: "command", atMs: 10 }, start("command", 11)],
  },
];

describe("safety outranks every source of control", () => {
  for (const { cut, inputs: cutInputs, refusal } of CUTS)
    for (const { source, inputs } of SOURCES)
      it(`${source} loses to ${cut}`, () => {
        const afterCut = run(cutInputs, charging);
        expect(afterCut.relay).toBe(false);
        const r = run(inputs(), afterCut.state);
        expect(r.relay).toBe(false);
        expect(r.effects).toContain(`refused:${refusal}`);
      });

  it("a command's own session is cut like a person's", () => {
    const cmd = run([start("command")]).state;
    for (const { inputs } of CUTS) expect(run(inputs, cmd).relay).toBe(false);
  });
});

/** The opening hours through the real feed: closed hours lose to nothing and end what runs. */
describe("outlet opening hours (outlets.schedule, the real feed)", () => {
  it.each<{
    name: string;
    inputs: () => OutletInput[];
    from?: OutletState;
    relay: boolean;
    effects: string[];
  }>([
    {
      name: "closing at 22:00 ends a running session (reason schedule)",
      inputs: () => fed(["21:59", "22:00"]),
      from: charging,
      relay: false,
      effects: ["ended:schedule"],
    },
    {
      name: "a person's start after hours is refused",
      inputs: () => [...fed(["23:30"]), start("session", 20)],
      relay: false,
      effects: ["refused:outside-schedule"],
    },
    {
      name: "a command before opening is refused",
      inputs: () => [...fed(["07:59"]), start("command", 20)],
      relay: false,
      effects: ["refused:outside-schedule"],
    },
    {
      name: "a tap after hours is refused",
      inputs: () => [...fed(["03:00"]), start("tap", 20)],
      relay: false,
      effects: ["refused:outside-schedule"],
    },
    {
      name: "opening again lets a start through",
      inputs: () => [...fed(["07:00", "08:00"]), start("session", 20)],
      relay: true,
      effects: ["started"],
    },
    {
      name: "a holiday without hol windows is closed all day",
      inputs: () => [...fed(["12:00"], ["2026-12-02"]), start("session", 20)],
      relay: false,
      effects: ["refused:outside-schedule"],
    },
    {
      name: "inside the hours, the feed does not end a session",
      inputs: () => fed(["09:00", "21:59"]),
      from: charging,
      relay: true,
      effects: [],
    },
  ])("$name", ({ inputs, from, relay, effects }) => {
    const r = run(inputs(), from);
    expect(r.relay).toBe(relay);
    expect(r.effects).toEqual(effects);
  });

  it("a named access schedule is resolved in the station's zone; no schedule = always open", () => {
    const named = OutletSchedule.fromConfig({
      station: { id: "st-1", timezone: "Asia/Urumqi" },
      door: { passage: {} },
      outlets: {
        binding: "occupant",
        occupantWindowMin: 240,
        fairUse: { maxConcurrent: 1, maxDailyWh: 800 },
        list: [],
        schedule: "day",
      },
      access: {
        schedules: { day: HOURS.map((w) => ({ ...w, days: [...w.days] })) },
        holidays: [],
      },
    } as unknown as Parameters<typeof OutletSchedule.fromConfig>[0]);
    // 08:30 in Shanghai is 06:30 in Urumqi (UTC+6): closed there.
    expect(named.allows(at("08:30"))).toBe(false);
    expect(named.allows(at("10:30"))).toBe(true);
    const none = new OutletSchedule(undefined, "Asia/Shanghai", new Set());
    expect(none.allows(at("03:00"))).toBe(true);
    expect(none.next(at("03:00"), 0)).toBeUndefined();
  });
});
