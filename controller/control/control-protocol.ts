import { z } from "zod";

/**
 * The control socket's wire format: newline-delimited JSON. A client writes one request per line;
 * the station answers each with zero or more progress lines and then one reply line, in order.
 */
export const ControlRequestSchema = z
  .object({
    id: z.string().min(1).max(64).optional(),
    name: z.string().min(1).max(64),
    args: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type ControlRequest = z.output<typeof ControlRequestSchema>;

export const ControlProgressSchema = z.object({ id: z.string(), progress: z.string() }).strict();

export const ControlReplySchema = z
  .object({
    id: z.string(),
    status: z.enum(["ok", "error"]),
    code: z.string(),
    data: z.unknown().optional(),
  })
  .strict();
export type ControlReply = z.output<typeof ControlReplySchema>;

/** A request line longer than this is refused and the connection closed: nobody types 64 KiB. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Splits a byte stream into lines, refusing an overlong one. Pure, so both ends share it.
 * Returns the complete lines; `overflow` turns true (and stays) once a line is too long.
 */
export class LineSplitter {
  private buffered = "";
  overflow = false;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: string): string[] {
    if (this.overflow) return [];
    this.buffered += chunk;
    const parts = this.buffered.split("\n");
    this.buffered = parts.pop() ?? "";
    if (
      Buffer.byteLength(this.buffered) > this.maxBytes ||
      parts.some((p) => Buffer.byteLength(p) > this.maxBytes)
    ) {
      this.overflow = true;
      this.buffered = "";
      return [];
    }
    return parts.filter((p) => p.trim() !== "");
  }
}
