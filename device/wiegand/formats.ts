import { StationError } from "../../config/errors.ts";
import type { WiegandFormatConfig } from "../../config/sections/readers.ts";

/**
 * Wiegand frame layouts and the pure bit codec shared by the decoder and the simulated reader.
 * A frame is a string of '0'/'1' in the order the bits were sent; position 0 is the first bit.
 */
export interface BitField {
  readonly start: number;
  readonly length: number;
}

export interface ParityBit {
  readonly bit: number;
  readonly type: "even" | "odd";
  /** positions the parity bit covers (not including itself) */
  readonly over: readonly number[];
}

export interface WiegandLayout {
  /** the `format` of a read, e.g. "wiegand-26" */
  readonly name: string;
  readonly bits: number;
  readonly facility?: BitField;
  readonly card: BitField;
  readonly parity: readonly ParityBit[];
}

const span = (first: number, last: number): number[] =>
  Array.from({ length: last - first + 1 }, (_, i) => first + i);

/** H10301: even parity over bits 1-12, facility 8 bits, card 16 bits, odd parity over 13-24. */
export const WIEGAND_26: WiegandLayout = {
  name: "wiegand-26",
  bits: 26,
  facility: { start: 1, length: 8 },
  card: { start: 9, length: 16 },
  parity: [
    { bit: 0, type: "even", over: span(1, 12) },
    { bit: 25, type: "odd", over: span(13, 24) },
  ],
};

/** 34-bit (H10306): even parity over the first 16 data bits, odd over the last 16. */
export const WIEGAND_34: WiegandLayout = {
  name: "wiegand-34",
  bits: 34,
  facility: { start: 1, length: 16 },
  card: { start: 17, length: 16 },
  parity: [
    { bit: 0, type: "even", over: span(1, 16) },
    { bit: 33, type: "odd", over: span(17, 32) },
  ],
};

/** H10302: a 35-bit card number; even parity over bits 1-18, odd over 18-35 (bit 18 in both). */
export const WIEGAND_37: WiegandLayout = {
  name: "wiegand-37",
  bits: 37,
  card: { start: 1, length: 35 },
  parity: [
    { bit: 0, type: "even", over: span(1, 18) },
    { bit: 36, type: "odd", over: span(18, 35) },
  ],
};

export const BUILTIN_LAYOUTS: Readonly<Record<string, WiegandLayout>> = {
  "wiegand-26": WIEGAND_26,
  "wiegand-34": WIEGAND_34,
  "wiegand-37": WIEGAND_37,
};

export function layoutFromConfig(f: WiegandFormatConfig): WiegandLayout {
  return {
    name: `wiegand-${f.name}`,
    bits: f.bits,
    ...(f.facility ? { facility: f.facility } : {}),
    card: f.card,
    parity: f.parity.map((p) => ({
      bit: p.bit,
      type: p.type,
      over: p.over.flatMap((o) => (typeof o === "number" ? [o] : span(Math.min(...o), Math.max(...o)))),
    })),
  };
}

function ones(bits: string, positions: readonly number[]): number {
  let n = 0;
  for (const p of positions) if (bits.charCodeAt(p) === 49) n++;
  return n;
}

function field(bits: string, f: BitField): number {
  let v = 0;
  for (let i = f.start; i < f.start + f.length; i++) v = v * 2 + (bits.charCodeAt(i) === 49 ? 1 : 0);
  return v;
}

/** The first parity bit that does not hold, or undefined when all do. */
export function failedParity(bits: string, layout: WiegandLayout): ParityBit | undefined {
  for (const p of layout.parity) {
    const total = ones(bits, p.over) + (bits.charCodeAt(p.bit) === 49 ? 1 : 0);
    if ((total % 2 === 0) !== (p.type === "even")) return p;
  }
  return undefined;
}

export interface WiegandCard {
  readonly format: string;
  readonly facility: number | undefined;
  readonly card: number;
  /** facility bits then card bits, big-endian, left-padded to whole bytes: what gets hashed */
  readonly identifier: Uint8Array;
}

export type CardDecode = { ok: true; value: WiegandCard } | { ok: false; reason: string };

export function decodeCard(bits: string, layout: WiegandLayout): CardDecode {
  if (bits.length !== layout.bits) {
    return { ok: false, reason: `${bits.length} bits for ${layout.name} (${layout.bits})` };
  }
  const bad = failedParity(bits, layout);
  if (bad) return { ok: false, reason: `${layout.name}: ${bad.type} parity bit ${bad.bit} fails` };
  const facility = layout.facility ? field(bits, layout.facility) : undefined;
  const card = field(bits, layout.card);
  const f = layout.facility;
  const c = layout.card;
  const idBits = (f ? bits.slice(f.start, f.start + f.length) : "") + bits.slice(c.start, c.start + c.length);
  return { ok: true, value: { format: layout.name, facility, card, identifier: packBits(idBits) } };
}

/** '0'/'1' string to big-endian bytes, left-padded with zero bits to whole bytes. */
function packBits(bits: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  const pad = out.length * 8 - bits.length;
  for (let i = 0; i < bits.length; i++) {
    if (bits.charCodeAt(i) !== 49) continue;
    const at = i + pad;
    out[at >> 3] = (out[at >> 3] ?? 0) | (0x80 >> (at & 7));
  }
  return out;
}

/** Packs facility and card number as the reader sent them, so the hash is the same whatever the order of parsing. */
export function identifierBytes(
  layout: WiegandLayout,
  facility: number | undefined,
  card: number,
): Uint8Array {
  let bits = "";
  if (layout.facility) bits += (facility ?? 0).toString(2).padStart(layout.facility.length, "0");
  bits += card.toString(2).padStart(layout.card.length, "0");
  return packBits(bits);
}

/** Builds the frame a reader sends for a card: fields in place, parity bits computed. */
export function encodeCard(layout: WiegandLayout, value: { facility?: number; card: number }): string {
  const fits = (v: number, f: BitField) => Number.isSafeInteger(v) && v >= 0 && v < 2 ** f.length;
  if (!fits(value.card, layout.card) || (layout.facility && !fits(value.facility ?? 0, layout.facility))) {
    throw new StationError("SIM_BAD_COMMAND", "sim", `facility/card number does not fit ${layout.name}`, {
      hint: `card number: ${layout.card.length} bits${layout.facility ? `, facility: ${layout.facility.length} bits` : ""}`,
    });
  }
  const out = new Array<string>(layout.bits).fill("0");
  const put = (v: number, f: BitField) => {
    const s = v.toString(2).padStart(f.length, "0");
    for (let i = 0; i < f.length; i++) out[f.start + i] = s[i] ?? "0";
  };
  if (layout.facility) put(value.facility ?? 0, layout.facility);
  put(value.card, layout.card);
  for (const p of layout.parity) {
    const n = ones(out.join(""), p.over);
    out[p.bit] = (n % 2 === 0) === (p.type === "even") ? "0" : "1";
  }
  return out.join("");
}

/** Keypad keys: 0-9, then `*` = 10 and `#` = 11. */
export const KEY_STAR = 10;
export const KEY_HASH = 11;

export function keyLabel(key: number): string {
  return key === KEY_STAR ? "*" : key === KEY_HASH ? "#" : String(key);
}

export type KeyDecode = { ok: true; key: number } | { ok: false; reason: string };

/**
 * A 4-bit burst is the key itself. An 8-bit burst carries the complement first, then the key
 * (the upper nibble is the inverse of the lower), so a single flipped bit is caught.
 */
export function decodeKey(bits: string): KeyDecode {
  const v = Number.parseInt(bits, 2);
  let key: number;
  if (bits.length === 4) key = v;
  else if (bits.length === 8) {
    key = v & 0x0f;
    if (v >> 4 !== (~key & 0x0f))
      return { ok: false, reason: "keypad-8: upper nibble is not the complement" };
  } else return { ok: false, reason: `a keypad burst is 4 or 8 bits, not ${bits.length}` };
  if (key > KEY_HASH) return { ok: false, reason: `keypad value ${key} is not a key` };
  return { ok: true, key };
}

export function encodeKey(key: number, bits: 4 | 8): string {
  const low = key.toString(2).padStart(4, "0");
  return bits === 4 ? low : (~key & 0x0f).toString(2).padStart(4, "0") + low;
}
