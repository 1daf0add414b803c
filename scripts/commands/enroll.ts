import { isStationError, StationError } from "../../config/errors.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { sendControl, socketFor } from "../control-client.ts";
import { type AddOptions, enrolHash, enrolledLine, withStore } from "./credentials.ts";
import { readCardDirectly } from "./enroll-direct.ts";

/** What a read's shape means to a technician: the kind of card, never its number. */
export function describeFormat(format: string | undefined): string {
  const uid = /^uid-(\d+)$/.exec(format ?? "");
  if (uid) return `contactless card (ISO 14443, ${uid[1]}-byte UID)`;
  if (format === "serial-8") return "resident ID card (8-byte serial)";
  if (format?.startsWith("wiegand-")) return `Wiegand card (${format.slice(8)}-bit)`;
  if (format === "pin" || format === "keypad") return "keypad code";
  return `card (${format ?? "unknown shape"})`;
}

export interface EnrollCardOptions extends AddOptions {
  config?: string;
  socket?: string;
  reader?: string;
  timeout?: string;
  json?: boolean;
}

export interface CardRead {
  readerId: string;
  credential: string;
  format?: string;
  enrolledAs?: string;
}

/** Ask the running station for the next card; undefined when no station runs. */
async function readViaStation(opts: EnrollCardOptions, timeoutMs: number): Promise<CardRead | undefined> {
  let socket: string;
  socket = socketFor(opts);
  try {
    const reply = await sendControl(
      socket,
      "enroll.next-card",
      { ...(opts.reader ? { reader: opts.reader } : {}), timeoutMs },
      (line) => process.stderr.write(`${line}\n`),
    );
    const data = reply.data as (Partial<CardRead> & { detail?: string }) | undefined;
    if (reply.status !== "ok" || !data?.credential || !data.readerId) {
      throw new StationError("ENROL_NO_CARD", "cli", data?.detail ?? `the station answered ${reply.code}`, {
        hint:
          reply.code === "NO_CARD"
            ? "hold the card flat on the reader for a second; run the command again"
            : "waystation doctor checks the readers",
      });
    }
    return data as CardRead;
  } catch (err) {
    if (isStationError(err, "CONTROL_UNREACHABLE")) return undefined;
    throw err;
  }
}

/**
 * `enroll card`: the card in the technician's hand is read at the reader and enrolled by its
 * keyed hash. Through the running station's control socket (it owns the readers); with no
 * station running, straight from the reader.
 */
export async function enrollCard(opts: EnrollCardOptions): Promise<number> {
  const seconds = Number(opts.timeout ?? "30");
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 120)
    throw new StationError("CLI_USAGE", "cli", "--timeout is 1 to 120 seconds", {
      hint: "waystation enroll card --help",
    });
  const read = (await readViaStation(opts, seconds * 1000)) ?? (await readCardDirectly(opts, seconds * 1000));
  const kind = describeFormat(read.format);
  process.stderr.write(
    `read a ${kind} at ${read.readerId}${read.enrolledAs ? `; it is enrolled for ${read.enrolledAs}` : ""}\n`,
  );
  const done = await withStore(opts.config, (o) => enrolHash(o, read.credential, opts));
  process.stdout.write(
    `${opts.json ? JSON.stringify({ readerId: read.readerId, format: read.format, kind, ...done }) : enrolledLine(done)}\n`,
  );
  return EXIT.ok;
}
