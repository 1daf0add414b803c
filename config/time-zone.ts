import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { type PosixTz, parsePosixTz, posixOffset } from "./posix-tz.ts";

/**
 * IANA time zones from the system's zone files (tzdata, /usr/share/zoneinfo) rather than ICU.
 * The first Intl.DateTimeFormat a process makes pages in ~8 MB of ICU data and code from the node
 * binary and keeps it resident; a station computes local time every few seconds (the welfare
 * window, schedules), and its RSS budget has no 8 MB to spare (docs/design-notes.md,
 * "station.rss"). A zone without a file (no tzdata installed) falls back to ICU.
 */
export interface Zone {
  readonly name: string;
  /** seconds east of UTC at `epochMs` */
  offsetAt(epochMs: number): number;
}

const zoneDir = () => process.env.TZDIR ?? "/usr/share/zoneinfo";
/** Zone names are paths under the zone directory: refuse anything that could leave it. */
const ZONE_NAME = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/;

/** The zone's file, when it is a TZif file under the zone directory. */
export function zoneFile(name: string): string | undefined {
  if (!ZONE_NAME.test(name) || name.length > 64) return undefined;
  const path = join(zoneDir(), name);
  try {
    const fd = openSync(path, "r");
    try {
      const magic = Buffer.alloc(4);
      readSync(fd, magic, 0, 4, 0);
      return magic.toString("latin1") === "TZif" ? path : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Whether a station file may name this zone. ICU is asked only for a zone without a file. */
export function isKnownTimeZone(name: string): boolean {
  if (zoneFile(name)) return true;
  // Without tzdata, ICU's own table is the only one there is (its pages are the cost we accept then).
  if (!ZONE_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

interface Tzif {
  /** transition times, seconds since the epoch, ascending */
  readonly times: number[];
  /** the offset (seconds east) in force from each transition */
  readonly offsets: number[];
  /** the offset before the first transition (local time type 0) */
  readonly initial: number;
  readonly footer: PosixTz | undefined;
}

/** RFC 8536. Version 1 files are read from their 32-bit block, later ones from the 64-bit one. */
export function parseTzif(buf: Buffer): Tzif | undefined {
  if (buf.length < 44 || buf.toString("latin1", 0, 4) !== "TZif") return undefined;
  const version = buf[4] ?? 0;
  const counts = (at: number) => {
    const c = (k: number) => buf.readUInt32BE(at + 20 + k * 4);
    return { isut: c(0), isstd: c(1), leap: c(2), time: c(3), type: c(4), char: c(5) };
  };
  const block = (at: number, timeSize: 4 | 8) => {
    const n = counts(at);
    return {
      n,
      start: at + 44,
      end:
        at +
        44 +
        n.time * timeSize +
        n.time +
        n.type * 6 +
        n.char +
        n.leap * (timeSize + 4) +
        n.isstd +
        n.isut,
    };
  };
  let b = block(0, 4);
  let timeSize: 4 | 8 = 4;
  if (version >= 0x32) {
    if (b.end + 44 > buf.length || buf.toString("latin1", b.end, b.end + 4) !== "TZif") return undefined;
    b = block(b.end, 8);
    timeSize = 8;
  }
  if (b.end > buf.length || b.n.type === 0) return undefined;
  let p = b.start;
  const times: number[] = [];
  for (let k = 0; k < b.n.time; k++, p += timeSize)
    times.push(timeSize === 8 ? Number(buf.readBigInt64BE(p)) : buf.readInt32BE(p));
  const idx: number[] = [];
  for (let k = 0; k < b.n.time; k++, p++) idx.push(buf[p] ?? 0);
  const types: number[] = [];
  for (let k = 0; k < b.n.type; k++, p += 6) types.push(buf.readInt32BE(p));
  const offsets = idx.map((k) => types[k] ?? types[0] ?? 0);
  let footer: PosixTz | undefined;
  if (timeSize === 8 && buf[b.end] === 0x0a) {
    const nl = buf.indexOf(0x0a, b.end + 1);
    if (nl > b.end) footer = parsePosixTz(buf.toString("latin1", b.end + 1, nl));
  }
  return { times, offsets, initial: types[0] ?? 0, footer };
}

function offsetIn(z: Tzif, t: number): number {
  const last = z.times.length - 1;
  if (z.footer && (last < 0 || t >= (z.times[last] ?? 0))) return posixOffset(z.footer, t);
  if (last < 0 || t < (z.times[0] ?? 0)) return z.initial;
  // the last transition at or before t
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((z.times[mid] ?? 0) <= t) lo = mid;
    else hi = mid - 1;
  }
  return z.offsets[lo] ?? z.initial;
}

const cache = new Map<string, Zone | undefined>();

/** The zone from its file; undefined without one (the caller asks ICU). Read once per process. */
export function loadZone(name: string): Zone | undefined {
  if (cache.has(name)) return cache.get(name);
  const path = zoneFile(name);
  const tz = path ? parseTzif(readFileSync(path)) : undefined;
  const zone = tz ? { name, offsetAt: (ms: number) => offsetIn(tz, Math.floor(ms / 1000)) } : undefined;
  cache.set(name, zone);
  return zone;
}
