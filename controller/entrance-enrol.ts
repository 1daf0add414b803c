import { z } from "zod";
import type { StationEvent } from "./contract/events.ts";
import type { EventBus } from "./events/event-bus.ts";
import { type CommandResult, type CommandSpec, defineCommand } from "./subsystem.ts";

const DECISIONS = new Set(["access.granted", "access.denied"]);
const MAX_WAIT_MS = 120_000;

/**
 * `enroll.next-card`: wait for the next card presented at a reader and answer with its keyed
 * hash and its shape (uid-4, serial-8, ...), never its number — the technician enrols the card in
 * hand without ever typing or seeing it. The read is decided as any other (a known card may open
 * the door); a card the reader cannot read answers as such.
 */
export function enrolCommand(bus: EventBus, readerIds: () => readonly string[]): CommandSpec {
  return defineCommand({
    name: "enroll.next-card",
    summary: "wait for the next card at a reader; its hash and kind, never its number",
    args: z
      .object({
        reader: z.string().optional(),
        timeoutMs: z.number().int().min(100).max(MAX_WAIT_MS).default(30_000),
      })
      .strict(),
    run: async (args, ctx): Promise<CommandResult> => {
      const readers = readerIds();
      if (args.reader !== undefined && !readers.includes(args.reader)) {
        return {
          status: "error",
          code: "UNKNOWN_READER",
          data: { detail: `no reader "${args.reader}"; this station has ${readers.join(", ")}` },
        };
      }
      const at = args.reader ? `reader ${args.reader}` : `any reader (${readers.join(", ")})`;
      ctx.progress?.(`present the card at ${at} now (${Math.round(args.timeoutMs / 1000)} s)`);
      const wanted = (e: StationEvent) => {
        const r = (e as { readerId?: string }).readerId;
        return r !== undefined && r !== "face" && (args.reader === undefined || r === args.reader);
      };
      const e = await new Promise<StationEvent | undefined>((resolve) => {
        const timer = setTimeout(() => done(undefined), args.timeoutMs);
        const off = bus.subscribe((ev) => {
          if ((DECISIONS.has(ev.type) || ev.type === "reader.unsupported-card") && wanted(ev)) done(ev);
        });
        function done(v: StationEvent | undefined) {
          clearTimeout(timer);
          off();
          resolve(v);
        }
      });
      if (!e) {
        return {
          status: "error",
          code: "NO_CARD",
          data: { detail: `no card was read at ${at} within ${Math.round(args.timeoutMs / 1000)} s` },
        };
      }
      const ev = e as StationEvent & {
        readerId: string;
        credential?: string;
        format?: string;
        personId?: string;
        detail?: string;
      };
      if (e.type === "reader.unsupported-card" || !ev.credential) {
        return {
          status: "error",
          code: "UNSUPPORTED_CARD",
          data: { readerId: ev.readerId, detail: ev.detail ?? "the reader could not read this card" },
        };
      }
      return {
        status: "ok",
        data: {
          readerId: ev.readerId,
          credential: ev.credential,
          format: ev.format,
          ...(ev.personId ? { enrolledAs: ev.personId } : {}),
        },
      };
    },
  });
}
