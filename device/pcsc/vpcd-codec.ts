/**
 * vsmartcard's vpcd protocol between the virtual reader inside pcscd and a virtual card (a TCP
 * client): every message is a 2-byte big-endian length, then the payload. A 1-byte payload from
 * the reader is a control (00 power off, 01 power on, 02 reset, 04 get ATR); a longer one is a
 * command APDU. The card answers get-ATR with its ATR and an APDU with its response APDU.
 */
export type ReaderMessage =
  | { readonly type: "power-off" }
  | { readonly type: "power-on" }
  | { readonly type: "reset" }
  | { readonly type: "get-atr" }
  | { readonly type: "apdu"; readonly apdu: Uint8Array }
  | { readonly type: "unknown-control"; readonly code: number }
  | { readonly type: "empty" };

export function parseReaderMessage(payload: Uint8Array): ReaderMessage {
  if (payload.length === 0) return { type: "empty" };
  if (payload.length > 1) return { type: "apdu", apdu: payload };
  switch (payload[0]) {
    case 0x00:
      return { type: "power-off" };
    case 0x01:
      return { type: "power-on" };
    case 0x02:
      return { type: "reset" };
    case 0x04:
      return { type: "get-atr" };
    default:
      return { type: "unknown-control", code: payload[0] ?? 0 };
  }
}

export function encodeVpcdFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError("a vpcd frame carries at most 65535 bytes");
  const out = new Uint8Array(payload.length + 2);
  out[0] = payload.length >> 8;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

/** Reassembles frames from a TCP byte stream, whatever the chunking. Pure: returns the new buffer. */
export interface FrameSplit {
  readonly frames: Uint8Array[];
  readonly rest: Uint8Array;
}

export function splitVpcdFrames(buffered: Uint8Array, chunk: Uint8Array): FrameSplit {
  const all = new Uint8Array(buffered.length + chunk.length);
  all.set(buffered);
  all.set(chunk, buffered.length);
  const frames: Uint8Array[] = [];
  let at = 0;
  while (all.length - at >= 2) {
    const n = ((all[at] ?? 0) << 8) | (all[at + 1] ?? 0);
    if (all.length - at - 2 < n) break;
    frames.push(all.slice(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return { frames, rest: all.slice(at) };
}
