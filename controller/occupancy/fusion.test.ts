import { describe, expect, it } from "vitest";
import {
  type FusionEffect,
  type FusionEvent,
  type FusionSettings,
  figureCount,
  initialFusion,
  present,
  type SensorHealth,
  step,
} from "./fusion.ts";

const MIN = 60_000;
const ALL: FusionSettings = {
  sensors: ["radar", "pir", "beam"],
  grantWindowMs: 30_000,
  welfareMs: 45 * MIN,
  emptyOffMs: 10 * MIN,
  falsePresenceMs: 30 * MIN,
  emptyConfirmMs: 20 * MIN,
};

type Ev = FusionEvent extends infer E
  ? E extends { atMs: number }
    ? Omit<E, "atMs"> & { at: number }
    : never
  : never;

/** Scripted moments, in minutes (fractions allowed), and the machine run over them. */
const ticksTo = (toMin: number, night = true, everyMin = 1): Ev[] =>
  Array.from({ length: Math.floor(toMin / everyMin) }, (_, i) => ({
    type: "tick",
    at: (i + 1) * everyMin,
    night,
  }));

function run(events: Ev[], s: FusionSettings = ALL) {
  let st = initialFusion(s, 0);
  const effects: FusionEffect[] = [];
  const sorted = [...events].sort((a, b) => a.at - b.at);
  for (const { at, ...rest } of sorted) {
    const r = step(st, { ...rest, atMs: at * MIN } as FusionEvent, s);
    st = r.state;
    effects.push(...r.effects);
  }
  return { st, effects, count: figureCount(st, s), present: present(st, s) };
}

const kinds = (fx: FusionEffect[]) =>
  fx.map((f) =>
    f.type === "output"
      ? `${f.name}:${f.on ? "on" : "off"}`
      : f.type === "sensor-health"
        ? `${f.sensor}:${f.health}`
        : f.type === "welfare-cleared"
          ? `welfare-cleared:${f.by}`
          : f.type,
  );

/** A worker enters with a card: grant, door open, beam in, door shut; radar sees them. */
const enter = (at: number): Ev[] => [
  { type: "grant", at, direction: "in" },
  { type: "door", at: at + 0.01, open: true },
  { type: "beam", at: at + 0.02, result: "in" },
  { type: "radar", at: at + 0.03, present: true, moving: true },
  { type: "door", at: at + 0.05, open: false },
];
const leave = (at: number): Ev[] => [
  { type: "door", at, open: true },
  { type: "beam", at: at + 0.01, result: "out" },
  { type: "door", at: at + 0.03, open: false },
];

interface Row {
  name: string;
  events: Ev[];
  settings?: FusionSettings;
  count: number;
  present: boolean;
  effects?: string[];
  /** effects that must not occur */
  never?: string[];
  health?: Partial<Record<"radar" | "pir" | "beam", SensorHealth>>;
}

const rows: Row[] = [
  {
    name: "one card, one person in",
    events: enter(1),
    count: 1,
    present: true,
    never: ["tailgate"],
  },
  {
    name: "tailgating: one card, two people through the beam",
    events: [...enter(1), { type: "beam", at: 1.03, result: "in" }],
    count: 2,
    present: true,
    effects: ["tailgate"],
  },
  {
    name: "two people together on two cards: no tailgate",
    events: [
      { type: "grant", at: 0.99, direction: "in" },
      ...enter(1),
      { type: "beam", at: 1.03, result: "in" },
    ],
    count: 2,
    present: true,
    never: ["tailgate"],
  },
  {
    name: "a walk in on someone else's exit (no grant) is a tailgate",
    events: [
      { type: "door", at: 1, open: true },
      { type: "beam", at: 1.01, result: "in" },
    ],
    count: 1,
    present: true,
    effects: ["tailgate"],
  },
  {
    name: "a confused beam keeps the count and lowers the confidence",
    events: [...enter(1), { type: "beam", at: 2, result: "confused" }],
    count: 1,
    present: true,
  },
  {
    name: "ghost: radar presence with nobody counted in, door shut for 30 min, PIR quiet → radar suspect",
    events: [{ type: "radar", at: 1, present: true, moving: true }, ...ticksTo(40, false)],
    count: 0,
    present: false,
    effects: ["radar:suspect"],
    never: ["welfare-alert"],
    health: { radar: "suspect" },
  },
  {
    name: "a suspect radar that reports nobody again is trusted again",
    events: [
      { type: "radar", at: 1, present: true, moving: true },
      ...ticksTo(40, false),
      { type: "radar", at: 41, present: false, moving: false },
    ],
    count: 0,
    present: false,
    effects: ["radar:suspect", "radar:good"],
    health: { radar: "good" },
  },
  {
    name: "a ghost suspect stays suspect on the driver's word alone while it still reports presence",
    events: [
      { type: "radar", at: 1, present: true, moving: true },
      ...ticksTo(40, false),
      { type: "health", at: 41, sensor: "radar", health: "good" },
    ],
    count: 0,
    present: false,
    effects: ["radar:suspect"],
    never: ["radar:good"],
    health: { radar: "suspect" },
  },
  {
    name: "a radar the driver called suspect (latched) and cured by a restart is good again, a person still inside",
    events: [
      ...enter(1),
      { type: "radar", at: 2, present: true, moving: false },
      { type: "health", at: 12, sensor: "radar", health: "suspect", detail: "identical energies for 600 s" },
      { type: "health", at: 13, sensor: "radar", health: "good" },
    ],
    count: 1,
    present: true,
    effects: ["radar:suspect", "radar:good"],
    health: { radar: "good" },
  },
  {
    name: "a counted person still and seen by radar is never made suspect",
    events: [...enter(1), { type: "radar", at: 2, present: true, moving: false }, ...ticksTo(60, false)],
    count: 1,
    present: true,
    never: ["radar:suspect"],
  },
  {
    name: "collapse at night: present, no movement for 45 min → welfare alert, call light and buzzer",
    events: [...enter(1), { type: "radar", at: 2, present: true, moving: false }, ...ticksTo(50, true)],
    count: 1,
    present: true,
    effects: ["welfare-alert", "callLight:on", "buzzer:on"],
  },
  {
    name: "the same stillness by day raises nothing",
    events: [...enter(1), { type: "radar", at: 2, present: true, moving: false }, ...ticksTo(50, false)],
    count: 1,
    present: true,
    never: ["welfare-alert"],
  },
  {
    name: "movement clears the welfare alert and the call light",
    events: [
      ...enter(1),
      { type: "radar", at: 2, present: true, moving: false },
      ...ticksTo(50, true),
      { type: "radar", at: 50.5, present: true, moving: true },
    ],
    count: 1,
    present: true,
    effects: [
      "welfare-alert",
      "callLight:on",
      "buzzer:on",
      "welfare-cleared:movement",
      "callLight:off",
      "buzzer:off",
    ],
  },
  {
    name: "a technician clears the welfare alert",
    events: [
      ...enter(1),
      { type: "radar", at: 2, present: true, moving: false },
      ...ticksTo(50, true),
      { type: "welfare-clear", at: 50.5, by: "technician" },
    ],
    count: 1,
    present: true,
    effects: [
      "welfare-alert",
      "callLight:on",
      "buzzer:on",
      "welfare-cleared:technician",
      "callLight:off",
      "buzzer:off",
    ],
  },
  {
    name: "a PIR that keeps firing is movement: no welfare alert",
    events: [
      ...enter(1),
      { type: "radar", at: 2, present: true, moving: false },
      ...Array.from({ length: 5 }, (_, i): Ev => ({ type: "pir", at: 10 * (i + 1), active: true })),
      ...ticksTo(55, true),
    ],
    count: 1,
    present: true,
    never: ["welfare-alert"],
  },
  {
    name: "empty station: lights and ventilation off 10 min after the last one left",
    events: [
      ...enter(1),
      ...leave(5),
      { type: "radar", at: 5.05, present: false, moving: false },
      ...ticksTo(20, false),
    ],
    count: 0,
    present: false,
    effects: ["lights:off", "ventilation:off"],
  },
  {
    name: "…and on again when someone enters",
    events: [
      ...enter(1),
      ...leave(5),
      { type: "radar", at: 5.05, present: false, moving: false },
      ...ticksTo(20, false),
      ...enter(21),
    ],
    count: 1,
    present: true,
    effects: ["lights:off", "ventilation:off", "lights:on", "ventilation:on"],
  },
  {
    name: "two people in together, then out together (the beam pair says in, in, out, out)",
    events: [
      { type: "grant", at: 1, direction: "in" },
      { type: "grant", at: 1.001, direction: "in" },
      { type: "door", at: 1.01, open: true },
      { type: "beam", at: 1.02, result: "in" },
      { type: "beam", at: 1.021, result: "in" },
      { type: "door", at: 1.05, open: false },
      ...leave(5),
      { type: "beam", at: 5.015, result: "out" },
    ],
    count: 0,
    present: false,
    never: ["tailgate"],
  },
  {
    name: "lost exits: counted 2, the door opened since, the radar sees nobody for 20 min → empty",
    events: [
      ...enter(1),
      { type: "beam", at: 1.03, result: "in" },
      { type: "radar", at: 3, present: false, moving: false },
      { type: "door", at: 4, open: true },
      { type: "door", at: 4.05, open: false },
      ...ticksTo(40, false),
    ],
    count: 0,
    present: false,
    effects: ["tailgate", "lights:off"],
  },
  {
    name: "a still person the radar loses behind a shut door is never counted away: welfare at night",
    events: [...enter(1), { type: "radar", at: 3, present: false, moving: false }, ...ticksTo(60, true)],
    count: 1,
    present: true,
    effects: ["welfare-alert", "callLight:on"],
  },
  {
    name: "the PIR alone never counts anyone away",
    settings: { ...ALL, sensors: ["pir"] },
    events: [
      { type: "grant", at: 1, direction: "in" },
      { type: "door", at: 1.01, open: true },
      { type: "door", at: 1.05, open: false },
      { type: "pir", at: 2, active: true },
      { type: "pir", at: 2.1, active: false },
      ...ticksTo(60, true),
    ],
    count: 1,
    present: true,
    effects: ["welfare-alert"],
  },
  {
    name: "without a beam, grants count people in and exit-reader grants out",
    settings: { ...ALL, sensors: ["radar"] },
    events: [
      { type: "grant", at: 1, direction: "in" },
      { type: "grant", at: 2, direction: "in" },
      { type: "radar", at: 2.1, present: true, moving: true },
      { type: "grant", at: 3, direction: "out" },
    ],
    count: 1,
    present: true,
  },
  {
    name: "a beam its counter called suspect (blocked) is good again when the counter says so",
    events: [
      { type: "health", at: 1, sensor: "beam", health: "suspect", detail: "blocked" },
      { type: "health", at: 2, sensor: "beam", health: "good" },
    ],
    count: 0,
    present: false,
    effects: ["beam:suspect", "beam:good"],
    health: { beam: "good" },
  },
  {
    name: "an offline radar is not trusted for presence",
    events: [
      { type: "radar", at: 1, present: true, moving: true },
      { type: "health", at: 1.1, sensor: "radar", health: "offline" },
    ],
    count: 0,
    present: false,
    effects: ["radar:offline"],
  },
];

/** The PIR judged against radar and beam (pir-watch.ts): stuck active, stuck quiet, and back. */
const pirStuckActive: Ev[] = [{ type: "pir", at: 1, active: true }, ...ticksTo(20, false)];
const pirQuietThreeCrossings: Ev[] = [...enter(1), ...leave(6), ...enter(12), ...ticksTo(20, false)];
const pirRows: Row[] = [
  {
    name: "PIR reads motion 15 min while the radar sees nobody → PIR suspect, and not presence",
    events: pirStuckActive,
    count: 0,
    present: false,
    effects: ["pir:suspect"],
    health: { pir: "suspect", radar: "good" },
  },
  {
    name: "PIR reads motion 20 min while the radar sees someone → PIR good",
    events: [...enter(1), { type: "pir", at: 1.1, active: true }, ...ticksTo(25, false)],
    count: 1,
    present: true,
    never: ["pir:suspect"],
    health: { pir: "good" },
  },
  {
    name: "no radar: PIR reads motion 15 min, nobody counted in, door shut → PIR suspect",
    events: pirStuckActive,
    settings: { ...ALL, sensors: ["pir", "beam"] },
    count: 0,
    present: false,
    effects: ["pir:suspect"],
  },
  {
    name: "no radar: PIR reads motion 20 min with a person counted in → PIR good",
    events: [...enter(1), { type: "pir", at: 1.1, active: true }, ...ticksTo(25, false)],
    settings: { ...ALL, sensors: ["pir", "beam"] },
    count: 1,
    present: true,
    never: ["pir:suspect"],
  },
  {
    name: "a PIR suspect of sticking active that reads clear again is good",
    events: [...pirStuckActive, { type: "pir", at: 21, active: false }],
    count: 0,
    present: false,
    effects: ["pir:suspect", "pir:good"],
    health: { pir: "good" },
  },
  {
    name: "PIR quiet while the beam counts three crossings over 15 min → PIR suspect",
    events: pirQuietThreeCrossings,
    count: 1,
    present: true,
    effects: ["pir:suspect"],
    health: { pir: "suspect", radar: "good", beam: "good" },
  },
  {
    name: "PIR quiet after one person in (too little to judge) → PIR good",
    events: [...enter(1), ...ticksTo(20, false)],
    count: 1,
    present: true,
    never: ["pir:suspect"],
  },
  {
    name: "PIR saw motion between the crossings: the count of unseen movement starts again → PIR good",
    events: [
      ...pirQuietThreeCrossings,
      { type: "pir", at: 5, active: true },
      { type: "pir", at: 5.2, active: false },
    ],
    count: 1,
    present: true,
    never: ["pir:suspect"],
  },
  {
    name: "a PIR suspect of being dead that sees motion again is good",
    events: [...pirQuietThreeCrossings, { type: "pir", at: 21, active: true }],
    count: 1,
    present: true,
    effects: ["pir:suspect", "pir:good"],
    health: { pir: "good" },
  },
  {
    name: "PIR alone: two hours of motion, nothing to contradict it → PIR good",
    events: [{ type: "pir", at: 1, active: true }, ...ticksTo(120, false, 5)],
    settings: { ...ALL, sensors: ["pir"] },
    count: 1,
    present: true,
    never: ["pir:suspect"],
  },
];

describe("occupancy fusion", () => {
  it.each([...rows, ...pirRows])("$name", (row) => {
    const r = run(row.events, row.settings);
    expect(r.count).toBe(row.count);
    expect(r.present).toBe(row.present);
    const got = kinds(r.effects).filter((k) => k !== "occupancy-changed");
    if (row.effects) {
      // In order, others may come between.
      let i = 0;
      for (const k of got) if (k === row.effects[i]) i++;
      expect(i, `effects ${JSON.stringify(got)} should contain in order ${JSON.stringify(row.effects)}`).toBe(
        row.effects.length,
      );
    }
    for (const k of row.never ?? []) expect(got).not.toContain(k);
    for (const [n, h] of Object.entries(row.health ?? {})) {
      expect(r.st.sensors[n as "radar"].health).toBe(h);
    }
  });

  it("a tailgate reports grants and entries in the window", () => {
    const r = run([...enter(1), { type: "beam", at: 1.03, result: "in" }]);
    expect(r.effects.find((f) => f.type === "tailgate")).toEqual({ type: "tailgate", grants: 1, entered: 2 });
  });

  it("confidence: high with a beam, low after a confused crossing", () => {
    expect(run(enter(1)).st.confidence).toBe("high");
    expect(run([...enter(1), { type: "beam", at: 2, result: "confused" }]).st.confidence).toBe("low");
  });
});
