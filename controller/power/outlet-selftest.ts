import type { StationError } from "../../config/errors.ts";
import { isStationError } from "../../config/errors.ts";
import type { PzemReading } from "../../device/modbus/pzem.ts";
import type { CheckResult, SelftestStep } from "../subsystem.ts";
import type { OutletState } from "./outlet-machine.ts";

/**
 * The fixed pseudo-credential a selftest session runs under (the contract wants a 64-hex hash):
 * the centre sees `personId: "selftest"` and this, never a worker's card.
 */
export const SELFTEST_CREDENTIAL = "5e1f7e57".repeat(8);
export const SELFTEST_PERSON = "selftest";

/** Mains at the meter's voltage terminals (230 V nominal, −15 % … +10 %, with margin). */
const MAINS_MIN_V = 190;
const MAINS_MAX_V = 260;
/** what a test load (a lamp, a phone charger) draws at least */
const LOAD_MIN_W = 2;
/** current through an outlet switched off: above this its relay is welded */
const OFF_MAX_A = 0.02;
/** how long a technician has to plug a test load in when asked */
export const PLUG_LOAD_MS = 30_000;

/** What the outlet steps may do with an outlet: its subsystem's own paths, nothing around them. */
export interface OutletTestPort {
  ids(): readonly string[];
  state(id: string): OutletState | undefined;
  /** the relay line read back */
  relay(id: string): boolean | undefined;
  /** the meter's next answer (or failure), or undefined when none comes within `ms` */
  nextReading(id: string, ms: number): Promise<PzemReading | StationError | undefined>;
  /** a session through the outlet's machine, so every safety cut and the schedule still win */
  start(id: string): { status: "ok" | "error"; code?: string };
  stop(id: string): { status: "ok" | "error"; code?: string };
}

const fail = (detail: string, hint: string): CheckResult => ({ ok: false, detail, hint });
const skip = (detail: string): CheckResult => ({ ok: true, skipped: true, detail });

/**
 * One step per outlet: the meter answers with mains at its terminals, the relay switches on and
 * off (read back) through a short session of the outlet's own machine, and nothing flows once it
 * is off (a welded relay). Unattended nothing is plugged in, so a load proves the relay's contact
 * only when a technician plugs one in (attended); an outlet in use is left alone.
 */
export function outletSelftestSteps(
  port: OutletTestPort,
  clock: { monotonic(): number },
  readMs: number,
): SelftestStep[] {
  return port.ids().map((id) => ({
    id: `outlets.${id}`,
    title: `outlet ${id}: meter reads, relay switches on and off`,
    run: async (ctx) => {
      const before = port.state(id);
      if (!before) return fail(`outlet ${id} is not configured`, "check outlets.list in the station file");
      if (before.mode === "charging") return skip(`not switched: a session is running on ${id}`);
      if (before.mode === "quarantined")
        return fail(
          `quarantined (${before.quarantine?.reason ?? "fault"}): not switched`,
          "find the cause (docs/charging-and-swap.md), then clear the outlet and run again",
        );
      if (before.stationCut)
        return fail(
          "held off by a station safety alarm: not switched",
          "clear the safety alarm first (console, or the cabinet's reset)",
        );
      if (before.scheduleOff) return skip("not switched: outside the outlets' opening hours");
      const first = await port.nextReading(id, readMs);
      const meter = meterProblem(first, readMs);
      if (meter) return meter;
      const mains = first as PzemReading;
      if (mains.voltageV < MAINS_MIN_V || mains.voltageV > MAINS_MAX_V)
        return fail(
          `the meter reads ${mains.voltageV} V: no mains at its terminals`,
          "check the outlet's supply and the meter's voltage wires (L and N to the PZEM's terminals)",
        );
      if (mains.currentA > OFF_MAX_A)
        return fail(
          `${mains.currentA} A flows through ${id} while it is off`,
          "the relay is welded or bridged: replace it before the outlet is used",
        );
      if (ctx.attended) {
        ctx.progress(`plug a lamp or a phone charger into outlet ${id} now`);
      }
      const started = port.start(id);
      if (started.status !== "ok")
        return skip(`not switched: the outlet refused (${started.code ?? "refused"})`);
      let on: PzemReading | undefined;
      try {
        if (port.relay(id) !== true)
          return fail(
            "the relay line does not read on after switching on",
            "check the outlet's relay setting (pin, activeLow) and the relay board's supply",
          );
        ctx.progress(`outlet ${id} on`);
        on = await loadWhileOn(
          port,
          id,
          clock,
          clock.monotonic() + (ctx.attended ? PLUG_LOAD_MS : 0),
          readMs,
        );
      } finally {
        port.stop(id);
      }
      if (port.relay(id) !== false)
        return fail(
          "the relay line does not read off after switching off",
          "check the outlet's relay setting (pin, activeLow); switch the outlet's supply off until it is fixed",
        );
      const after = await port.nextReading(id, readMs);
      const meterAfter = meterProblem(after, readMs);
      if (meterAfter) return meterAfter;
      if ((after as PzemReading).currentA > OFF_MAX_A)
        return fail(
          `${(after as PzemReading).currentA} A still flows through ${id} after switching off`,
          "the relay is welded or bridged: replace it before the outlet is used",
        );
      const meterOk = `meter answers (${mains.voltageV} V)`;
      const loaded = on !== undefined && on.powerW >= LOAD_MIN_W;
      if (loaded) return { ok: true, detail: `${meterOk}; on: ${on?.powerW} W through the relay; off: 0 A` };
      if (ctx.attended)
        return fail(
          `${meterOk}; the relay reads on, but no load drew power within ${PLUG_LOAD_MS / 1000} s`,
          "if a load was plugged in, the relay's contact or the meter's CT is not in this outlet's circuit (docs/charging-and-swap.md); otherwise run again and plug one in when asked",
        );
      return {
        ok: true,
        detail: `${meterOk}; relay on and off (read back); off: 0 A; nothing plugged in, so the contact was not proven: run selftest --attended with a lamp`,
      };
    },
  }));
}

function meterProblem(r: PzemReading | StationError | undefined, ms: number): CheckResult | undefined {
  if (r === undefined)
    return fail(
      `the meter did not answer within ${ms / 1000} s`,
      "check the RS-485 wiring (A/B), the meter's address and that it has mains (waystation doctor)",
    );
  if (isStationError(r))
    return fail(
      `the meter does not answer (${r.code})`,
      "check the RS-485 wiring (A/B), the meter's address and that it has mains (waystation doctor)",
    );
  return undefined;
}

/**
 * The readings while on: the first that shows a load, or the last by the deadline — and never
 * fewer than two, since the first answer may have been asked for before the relay closed.
 */
async function loadWhileOn(
  port: OutletTestPort,
  id: string,
  clock: { monotonic(): number },
  untilMs: number,
  readMs: number,
): Promise<PzemReading | undefined> {
  let last: PzemReading | undefined;
  let reads = 0;
  do {
    reads++;
    const r = await port.nextReading(id, readMs);
    if (r === undefined || isStationError(r)) continue;
    last = r;
    if (r.powerW >= LOAD_MIN_W) return r;
    if (port.state(id)?.mode !== "charging") return last;
  } while (reads < 2 || clock.monotonic() < untilMs);
  return last;
}
