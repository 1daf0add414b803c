/**
 * ATRs of contactless cards as PC/SC readers synthesise them (PC/SC part 3):
 *   3B 8n 80 01 <n historical bytes> TCK
 * A storage card (ISO 14443-3: MIFARE Classic, Ultralight) has historical bytes
 *   80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00   (RID of PC/SC, standard SS, card name NN NN)
 * Anything else is a processor card (ISO 14443-4: Type A with its ATS bytes, or Type B with its
 * ATQB application data and protocol info), which is where the resident ID card belongs.
 */
export type AtrClass =
  | { readonly kind: "storage"; readonly standard: number; readonly cardName: string }
  | { readonly kind: "processor" }
  | { readonly kind: "invalid"; readonly reason: string };

const PCSC_RID = [0xa0, 0x00, 0x00, 0x03, 0x06];

const CARD_NAMES: Record<number, string> = {
  1: "MIFARE Classic 1K",
  2: "MIFARE Classic 4K",
  3: "MIFARE Ultralight",
  38: "MIFARE Mini",
  58: "MIFARE Ultralight C",
  54: "MIFARE Plus SL1 2K",
  55: "MIFARE Plus SL1 4K",
};

function tck(bytes: readonly number[]): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

export function classifyAtr(atr: Uint8Array): AtrClass {
  const [ts, t0 = 0] = atr;
  if (atr.length < 2 || (ts !== 0x3b && ts !== 0x3f)) return { kind: "invalid", reason: "no ATR header" };
  const historical = t0 & 0x0f;
  // Contactless ATRs: TD1 = 80, TD2 = 01, then the historical bytes and TCK.
  if ((t0 & 0xf0) === 0x80 && atr[2] === 0x80 && atr[3] === 0x01) {
    if (atr.length !== 4 + historical + 1) return { kind: "invalid", reason: `ATR length ${atr.length}` };
    if (tck([...atr.subarray(1)]) !== 0) return { kind: "invalid", reason: "ATR checksum" };
    const h = atr.subarray(4, 4 + historical);
    if (h[0] === 0x80 && h[1] === 0x4f && h[2] === 0x0c && PCSC_RID.every((b, i) => h[3 + i] === b)) {
      const name = ((h[9] ?? 0) << 8) | (h[10] ?? 0);
      return {
        kind: "storage",
        standard: h[8] ?? 0,
        cardName: CARD_NAMES[name] ?? `card name ${name.toString(16).padStart(4, "0")}`,
      };
    }
  }
  return { kind: "processor" };
}

function contactlessAtr(historical: readonly number[]): Uint8Array {
  const body = [0x80 | historical.length, 0x80, 0x01, ...historical];
  return Uint8Array.from([0x3b, ...body, tck(body)]);
}

/** The ATR a PC/SC reader reports for a storage card; `cardName` e.g. 0x0001 (MIFARE Classic 1K). */
export function storageCardAtr(cardName: number, standard = 0x03): Uint8Array {
  return contactlessAtr([
    0x80,
    0x4f,
    0x0c,
    ...PCSC_RID,
    standard,
    (cardName >> 8) & 0xff,
    cardName & 0xff,
    0x00,
    0x00,
    0x00,
    0x00,
  ]);
}

/** The ATR of an ISO 14443-4 Type B card: ATQB application data (4), protocol info (3), MBLI. */
export function typeBAtr(applicationData: readonly number[], protocolInfo: readonly number[]): Uint8Array {
  return contactlessAtr([...applicationData.slice(0, 4), ...protocolInfo.slice(0, 3), 0x00]);
}
