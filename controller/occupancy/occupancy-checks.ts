import type { OccupancyHardware } from "../../device/hardware.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { RadarHealth } from "../../device/ports/presence-radar.ts";
import { nextValue } from "../../device/ports/wait-for.ts";
import type { OccupancyState } from "../contract/occupancy-events.ts";
import type { CheckResult, DoctorCheck, SelftestStep } from "../subsystem.ts";

/** How long a technician has to wave at the PIR or walk through the beams when asked. */
export const PIR_WAVE_MS = 20_000;
export const BEAM_WALK_MS = 30_000;
/** StandardFirmata reports an analog input every 19 ms by default; johnny-five reads at its freq. */
const ANALOG_FRESH_MS = 3000;

const fail = (detail: string, hint: string): CheckResult => ({ ok: false, detail, hint });

/** What to do about each way the radar driver can be unwell (docs/sensors.md, "Radar health"). */
const RADAR_HINT: Record<Exclude<RadarHealth, "good">, string> = {
  starting:
    "no report has arrived: check occupancy.radar.baudRate (256000 from the factory) and that TX and RX are crossed",
  stale:
    "the port is open but the module stopped reporting: check its 5 V supply; the station restarts it, or run occupancy.radar-reinit",
  latched:
    "the module repeats identical energies (a known LD2410 fault): the station restarts it; if it comes back, power-cycle the module",
  offline:
    "the radar's serial port is gone: check the USB-UART cable and occupancy.radar.port (ls -l /dev/serial/by-id/); it reopens by itself",
};
const GHOST_HINT =
  "the radar sees presence with nobody inside: something moves in its field (a fan, a curtain, a neighbour behind a thin wall); lower its sensitivity or occupancy.radar.maxGate";
const PIR_HINT = {
  active:
    "the PIR reads motion with nobody there: a heat source in its view (heater vent, sunlit window), a short on its output wire, or hardware.gpio activeLow wrong",
  quiet:
    "the PIR saw nothing while people moved: check its supply and output wire, and that its lens is not masked or facing away",
};
const BOARD_HINT =
  "is the board plugged in and StandardFirmata flashed, at occupancy.board.baudRate (57600)? see docs/sensors.md";
const BEAM_HINT =
  "a beam reads broken at rest: align the emitter and the receiver, clean both lenses, remove what blocks the doorway";

/**
 * The occupancy subsystem's doctor checks (state as the station sees it now) and selftest steps
 * (each device exercised over its wire and read back). `sensors` is the fused health in `state`.
 */
export function occupancyChecks(
  hw: OccupancyHardware,
  sensors: () => OccupancyState["sensors"],
  clock: Clock,
): { doctor: DoctorCheck[]; selftest: SelftestStep[] } {
  const doctor: DoctorCheck[] = [];
  const selftest: SelftestStep[] = [];
  const { radar, pir, beam, board } = hw;

  if (radar) {
    const radarNow = (): CheckResult => {
      const s = radar.status();
      const facts = `firmware ${s.firmware ?? "unknown"}, ${s.frames} frames, ${s.reinits} restarts`;
      if (s.health !== "good")
        return fail(`${s.health}${s.detail ? `: ${s.detail}` : ""} (${facts})`, RADAR_HINT[s.health]);
      const fused = sensors().radar;
      if (fused?.health === "suspect")
        return fail(`suspect: ${fused.detail ?? "ghost"} (${facts})`, GHOST_HINT);
      return { ok: true, detail: `good (${facts})` };
    };
    doctor.push({
      id: "occupancy.radar",
      title: "presence radar reports",
      causes: [
        { cause: "no report has arrived since start", hint: RADAR_HINT.starting },
        { cause: "the radar stopped reporting", hint: RADAR_HINT.stale },
        { cause: "the radar repeats identical energies", hint: RADAR_HINT.latched },
        { cause: "the radar's serial port is gone", hint: RADAR_HINT.offline },
        { cause: "presence with nobody inside", hint: GHOST_HINT },
      ],
      run: async () => radarNow(),
    });
    selftest.push({
      id: "occupancy.radar",
      title: "presence radar answers a command and reports",
      run: async () => {
        const before = radar.status().frames;
        let firmware: string;
        try {
          firmware = await radar.identify();
        } catch (err) {
          return fail(
            `the radar did not answer its firmware query: ${(err as Error).message}`,
            radar.status().health === "offline" ? RADAR_HINT.offline : RADAR_HINT.starting,
          );
        }
        const frames = await nextValue(radar.onReading.bind(radar), clock, 2000, () => radar.status().frames);
        if (frames === undefined || frames <= before)
          return fail(`firmware ${firmware}, but no report frame within 2 s`, RADAR_HINT.stale);
        const now = radarNow();
        return now.ok ? { ok: true, detail: `firmware ${firmware}, reporting` } : now;
      },
    });
  }

  if (pir) {
    const pirNow = (): CheckResult => {
      const h = sensors().pir;
      if (!h || h.health === "good")
        return { ok: true, detail: `good, reads ${pir.read() ? "motion" : "clear"}` };
      return fail(
        `${h.health}: ${h.detail ?? ""}`,
        h.detail?.startsWith("no motion") ? PIR_HINT.quiet : PIR_HINT.active,
      );
    };
    doctor.push({
      id: "occupancy.pir",
      title: "PIR agrees with radar and beam",
      causes: [
        { cause: "the PIR reads motion with nobody there", hint: PIR_HINT.active },
        { cause: "the PIR saw nothing while people moved", hint: PIR_HINT.quiet },
      ],
      run: async () => pirNow(),
    });
    selftest.push({
      id: "occupancy.pir",
      title: "PIR sees motion",
      run: async (ctx) => {
        const now = pirNow();
        if (!now.ok || !ctx.attended)
          return now.ok
            ? { ...now, skipped: true, detail: `${now.detail}; not exercised (nobody at the station)` }
            : now;
        ctx.progress(`wave in front of the PIR within ${PIR_WAVE_MS / 1000} s`);
        const seen =
          pir.read() ||
          (await nextValue(pir.onEdge.bind(pir), clock, PIR_WAVE_MS, (e) => (e.active ? true : undefined)));
        return seen
          ? { ok: true, detail: "the PIR saw motion" }
          : fail(`no motion seen in ${PIR_WAVE_MS / 1000} s`, PIR_HINT.quiet);
      },
    });
  }

  if (beam) {
    const beamNow = (): CheckResult => {
      const h = beam.health();
      const b = beam.beams();
      const broken = [b.outer ? "outer" : "", b.inner ? "inner" : ""].filter(Boolean);
      if (h.health !== "good") return fail(`suspect: ${h.detail ?? "blocked"}`, BEAM_HINT);
      return {
        ok: true,
        detail: broken.length ? `good; ${broken.join(" and ")} broken now` : "good, both beams clear",
      };
    };
    doctor.push({
      id: "occupancy.beam",
      title: "beam pair clear",
      causes: [{ cause: "a beam reads broken at rest", hint: BEAM_HINT }],
      run: async () => beamNow(),
    });
    selftest.push({
      id: "occupancy.beam",
      title: "beam pair clear at rest, counts a walk in",
      run: async (ctx) => {
        const b = beam.beams();
        if (b.outer || b.inner) {
          const which = [b.outer ? "outer" : "", b.inner ? "inner" : ""].filter(Boolean).join(" and ");
          return fail(`the ${which} beam reads broken with nobody in the doorway`, BEAM_HINT);
        }
        if (!ctx.attended)
          return { ok: true, skipped: true, detail: "both beams clear; no walk (nobody at the station)" };
        ctx.progress(`walk in through the door within ${BEAM_WALK_MS / 1000} s`);
        const result = await nextValue(beam.onPassage.bind(beam), clock, BEAM_WALK_MS, (r) => r);
        if (result === "in") return { ok: true, detail: "both beams clear at rest; a walk in counted in" };
        if (result === "out")
          return fail(
            "a walk in was counted out",
            "the outer and inner beams are swapped: swap occupancy.beam.outer and .inner",
          );
        if (result === "confused")
          return fail(
            "a walk in was not understood",
            "walk through at a normal pace; check both beams break in turn",
          );
        return fail(`no crossing in ${BEAM_WALK_MS / 1000} s`, BEAM_HINT);
      },
    });
  }

  if (board) {
    const boardNow = (): CheckResult => {
      const s = board.board.status();
      return s.ready
        ? { ok: true, detail: `${board.board.path}: ready` }
        : fail(`${board.board.path}: not ready${s.detail ? ` (${s.detail})` : ""}`, BOARD_HINT);
    };
    doctor.push({
      id: "occupancy.board",
      title: "I/O board answers Firmata",
      causes: [{ cause: "the I/O board does not answer Firmata", hint: BOARD_HINT }],
      run: async () => boardNow(),
    });
    selftest.push({
      id: "occupancy.board",
      title: "I/O board ready, its analog inputs reporting",
      run: async () => {
        const now = boardNow();
        if (!now.ok) return now;
        const silent: string[] = [];
        for (const [name, ch] of Object.entries(board.analog)) {
          const v = await nextValue(
            (l) => board.board.onAnalog(ch, l),
            clock,
            ANALOG_FRESH_MS,
            (x: number) => x,
          );
          if (v === undefined) silent.push(`${name} (A${ch})`);
        }
        return silent.length === 0
          ? { ok: true, detail: `${now.detail}; ${Object.keys(board.analog).length} analog inputs reporting` }
          : fail(
              `${now.detail}, but no reading from ${silent.join(", ")} in ${ANALOG_FRESH_MS / 1000} s`,
              "the sketch does not report that pin: flash StandardFirmata (not a custom sketch) and check occupancy.board.analog",
            );
      },
    });
  }
  return { doctor, selftest };
}
