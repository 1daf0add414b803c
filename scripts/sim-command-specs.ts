import { isStationError } from "../config/errors.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import type { EventBus } from "../controller/events/event-bus.ts";
import { type CommandResult, type CommandSpec, defineCommand } from "../controller/subsystem.ts";
import { type SimCommand, simCommands } from "../simulator/sim-commands.ts";
import type { SimControl } from "../simulator/station.ts";

/** How long `sim tap` waits for the station's decision (a vpcd card takes a human's time). */
const TAP_ANSWER_MS = 6000;

const ANSWERS = new Set(["access.granted", "access.denied", "reader.unsupported-card"]);

/** What the station made of a tap, summarised without the credential hash. */
function outcome(e: StationEvent): Record<string, unknown> {
  const ev = e as StationEvent & { reason?: string; personId?: string; format?: string; detail?: string };
  return {
    event: ev.type,
    ...(ev.reason ? { reason: ev.reason } : {}),
    ...(ev.personId ? { personId: ev.personId } : {}),
    ...(ev.format ? { format: ev.format } : {}),
    ...(ev.detail ? { detail: ev.detail } : {}),
  };
}

/**
 * The simulator's controls as commands of a simulated station, registered by the composition
 * root (the controller never learns it is simulated): `sim.<name>` over the control socket.
 * `sim.tap` answers with what the station decided, or says that nothing was read.
 */
export function simCommandSpecs(
  control: SimControl,
  bus: () => EventBus,
  readerIds: readonly string[],
  timeoutMs = TAP_ANSWER_MS,
  /** more simulated parts' commands (the outlets' and the cabinet's faults) */
  extra: Record<string, SimCommand> = {},
): CommandSpec[] {
  return Object.entries({ ...simCommands(control), ...extra }).map(([name, c]) =>
    defineCommand({
      name: `sim.${name}`,
      summary: `simulator: ${c.summary}`,
      args: c.args,
      run: async (args): Promise<CommandResult> => {
        const reader = name === "tap" ? ((args as { reader?: string }).reader ?? readerIds[0]) : undefined;
        let answered: (e: StationEvent) => void = () => undefined;
        const answer =
          name === "tap"
            ? new Promise<StationEvent | undefined>((resolve) => {
                const timer = setTimeout(() => resolve(undefined), timeoutMs);
                answered = (e) => {
                  clearTimeout(timer);
                  resolve(e);
                };
              })
            : undefined;
        const unsubscribe = bus().subscribe((e) => {
          if (ANSWERS.has(e.type) && (e as { readerId?: string }).readerId === reader) answered(e);
        });
        try {
          const data = c.run(args as never);
          if (!answer) return { status: "ok", data };
          const e = await answer;
          if (!e) {
            return {
              status: "error",
              code: "NOTHING_READ",
              data: {
                reader,
                detail: `the card was presented at ${reader}, but the station decided nothing within ${timeoutMs / 1000} s (nothing read, or a re-read of the same card inside access.rereadSuppressMs)`,
              },
            };
          }
          return { status: "ok", data: { reader, ...outcome(e) } };
        } catch (err) {
          if (!isStationError(err)) throw err;
          return {
            status: "error",
            code: err.code,
            data: { detail: err.message, ...(err.details.hint ? { hint: err.details.hint } : {}) },
          };
        } finally {
          unsubscribe();
        }
      },
    }),
  );
}
