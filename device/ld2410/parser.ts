import {
  COMMAND_FOOTER,
  COMMAND_HEADER,
  decodeReportBody,
  type Ld2410Frame,
  MAX_BODY,
  REPORT_FOOTER,
  REPORT_HEADER,
} from "./codec.ts";

export interface ParserStats {
  frames: number;
  /** bytes thrown away while looking for a header (noise, a frame cut by a replug) */
  garbageBytes: number;
  /** frames with a header whose length, footer or body was wrong */
  badFrames: number;
}

/** Longest buffered input without a frame: beyond it, the oldest bytes are garbage. */
const MAX_BUFFER = 4 * (MAX_BODY + 10);

const matchAt = (buf: Uint8Array, at: number, seq: readonly number[]) =>
  seq.every((b, i) => buf[at + i] === b);

/**
 * The LD2410 byte stream cut into frames. Bytes arrive in any chunking (split frames, several
 * frames per chunk, garbage between them); a frame is accepted only with its header, a sane length
 * and its footer, otherwise one byte is dropped and the search starts again, so a false header
 * inside noise cannot swallow the real frame after it. Never throws.
 *
 * `role` says which side we are: the host reads reports and ACKs; the module reads commands.
 */
export class Ld2410Parser {
  readonly stats: ParserStats = { frames: 0, garbageBytes: 0, badFrames: 0 };
  private buf: Uint8Array = new Uint8Array(0);

  constructor(private readonly role: "host" | "module" = "host") {}

  push(chunk: Uint8Array): Ld2410Frame[] {
    const out: Ld2410Frame[] = [];
    this.buf = this.buf.length === 0 ? Uint8Array.from(chunk) : concat(this.buf, chunk);
    let at = 0;
    const n = this.buf.length;
    while (at < n) {
      const h = this.findHeader(at);
      if (h < 0) {
        // Keep a possible partial header at the end (at most 3 bytes).
        const keepFrom = Math.max(at, n - 3);
        const partial = this.partialHeaderStart(keepFrom);
        this.stats.garbageBytes += partial - at;
        at = partial;
        break;
      }
      this.stats.garbageBytes += h - at;
      at = h;
      if (n - at < 6) break;
      const len = (this.buf[at + 4] ?? 0) | ((this.buf[at + 5] ?? 0) << 8);
      if (len > MAX_BODY || len < 2) {
        this.reject();
        at += 1;
        continue;
      }
      const end = at + 6 + len + 4;
      if (end > n) break;
      const isReport = this.buf[at] === REPORT_HEADER[0];
      const footer = isReport ? REPORT_FOOTER : COMMAND_FOOTER;
      const decoded = matchAt(this.buf, at + 6 + len, footer)
        ? this.decode(isReport, this.buf.subarray(at + 6, at + 6 + len))
        : undefined;
      if (!decoded) {
        this.reject();
        at += 1;
        continue;
      }
      this.stats.frames++;
      out.push(decoded);
      at = end;
    }
    this.buf = this.buf.subarray(at);
    if (this.buf.length > MAX_BUFFER) {
      this.stats.garbageBytes += this.buf.length - MAX_BUFFER;
      this.buf = this.buf.subarray(this.buf.length - MAX_BUFFER);
    }
    return out;
  }

  /** Bytes waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = new Uint8Array(0);
  }

  private reject(): void {
    this.stats.badFrames++;
    this.stats.garbageBytes += 1;
  }

  private decode(isReport: boolean, body: Uint8Array): Ld2410Frame | undefined {
    if (isReport) {
      const report = decodeReportBody(body);
      return report ? { kind: "report", report } : undefined;
    }
    const word = (body[0] ?? 0) | ((body[1] ?? 0) << 8);
    if (this.role === "module") return { kind: "command", command: word, value: body.slice(2) };
    if ((word & 0x0100) === 0 || body.length < 4) return undefined;
    const status = (body[2] ?? 0) | ((body[3] ?? 0) << 8);
    return { kind: "ack", ack: { command: word & ~0x0100, status, data: body.slice(4) } };
  }

  private findHeader(from: number): number {
    const b = this.buf;
    for (let i = from; i + 3 < b.length; i++) {
      const c = b[i];
      if (c === 0xf4 && matchAt(b, i, REPORT_HEADER)) return i;
      if (c === 0xfd && matchAt(b, i, COMMAND_HEADER)) return i;
    }
    return -1;
  }

  /** Where a header could still begin among the last bytes (the rest cannot start a frame). */
  private partialHeaderStart(from: number): number {
    const b = this.buf;
    for (let i = from; i < b.length; i++) {
      const rest = b.length - i;
      if (
        REPORT_HEADER.slice(0, rest).every((x, k) => b[i + k] === x) ||
        COMMAND_HEADER.slice(0, rest).every((x, k) => b[i + k] === x)
      ) {
        return i;
      }
    }
    return b.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
