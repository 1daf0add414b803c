import { readFileSync } from "node:fs";
import { parseHexIdentifier } from "../../../device/identity/hasher.ts";
import type { CredentialKind } from "../../../device/ports/card-reader.ts";
import { BUILTIN_LAYOUTS, identifierBytes } from "../../../device/wiegand/formats.ts";
import { usageError } from "../usage.ts";

/**
 * The UID lengths ISO 14443 readers produce (single, double and triple size). A 5- or 6-byte
 * "UID" is a typo or a number copied from the wrong column: enrolled, it could never match.
 */
export const UID_LENGTHS: readonly number[] = [4, 7, 10];

export function kindOf(v: string | undefined): CredentialKind {
  if (v === undefined) return "card-uid";
  if (v === "card-uid" || v === "resident-id" || v === "wiegand" || v === "keypad") return v;
  throw usageError(`--kind is card-uid, resident-id, wiegand or keypad, not "${v}"`);
}

/** The identifier's bytes as its reader's driver hashes them, from what is printed on the card. */
export function rawIdentifier(kind: CredentialKind, id: string, format: string): Uint8Array {
  if (kind === "keypad") {
    if (!/^[0-9]{4,12}$/.test(id)) throw usageError("a PIN is 4-12 digits");
    return new TextEncoder().encode(id);
  }
  if (kind === "wiegand") {
    const layout = BUILTIN_LAYOUTS[format];
    if (!layout) throw usageError(`--format is one of ${Object.keys(BUILTIN_LAYOUTS).join(", ")}`);
    const m = /^(?:(\d+):)?(\d+)$/.exec(id);
    if (!m)
      throw usageError('a Wiegand card is "FACILITY:CARD" (or "CARD" for formats without a facility code)');
    const facility = m[1] === undefined ? undefined : Number(m[1]);
    const card = Number(m[2]);
    const fits = (v: number, bits: number) => Number.isSafeInteger(v) && v < 2 ** bits;
    if (
      !fits(card, layout.card.length) ||
      (facility !== undefined && !fits(facility, layout.facility?.length ?? 0))
    ) {
      throw usageError(`the card number does not fit ${layout.name}`);
    }
    return identifierBytes(layout, facility, card);
  }
  const raw = parseHexIdentifier(id);
  // Never echo the identifier: an error message ends up in a terminal's scrollback and in logs.
  if (!raw) throw usageError("the identifier is not hex, e.g. 04A1B2C3");
  if (kind === "resident-id" && raw.length !== 8)
    throw usageError("a resident ID card serial is 8 bytes (16 hex)");
  if (kind === "card-uid" && !UID_LENGTHS.includes(raw.length))
    throw usageError(
      `a card UID is 4, 7 or 10 bytes (8, 14 or 20 hex digits); this one is ${raw.length} bytes, which no reader produces`,
    );
  return raw;
}

/** The identifier from the command line, stdin ("-") or the first line of a file. */
export async function identifierFrom(
  arg: string | undefined,
  file: string | undefined,
): Promise<string | undefined> {
  let text: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch {
      throw usageError(`cannot read --id-file ${file}`);
    }
  } else if (arg === "-") {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    return arg;
  }
  const first = text.split(/\r?\n/)[0]?.trim() ?? "";
  if (first === "") throw usageError(file === undefined ? "nothing on stdin" : `--id-file ${file} is empty`);
  return first;
}

/** A PIN the station would refuse at the keypad is refused at enrolment, with the setting that decides. */
export function checkPinPolicy(
  pin: string,
  pins: { minLength: number; allowPinOnly: boolean },
): string | undefined {
  if (pin.length < pins.minLength)
    throw usageError(`a PIN needs at least ${pins.minLength} digits (access.pins.minLength)`);
  return pins.allowPinOnly
    ? undefined
    : "this PIN is a second factor only (access.pins.allowPinOnly is off): enrol the person's card with --second-factor";
}

/** A hash shown to people: enough to tell two apart, too little to be worth copying. */
export function shortHash(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}
