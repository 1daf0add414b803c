import {
  buildResponse,
  GET_UID,
  parseCommand,
  RESIDENT_ID_SERIAL,
  SW_CLA_NOT_SUPPORTED,
  SW_INS_NOT_SUPPORTED,
  SW_OK,
  SW_WRONG_LENGTH,
  sameBytes,
} from "../../device/pcsc/apdu.ts";
import { storageCardAtr, typeBAtr } from "../../device/pcsc/atr.ts";

/**
 * Cards as the virtual reader sees them: an ATR, and an answer for every command APDU. The
 * answers are what a contactless PC/SC reader returns for each card, built with the driver's
 * own codec so both sides speak the same bytes.
 */
export interface SimCard {
  /** what the card is, for logs: never its identifier */
  readonly label: string;
  /** the resident ID card ignores HALT: it stays in the field and keeps being found */
  readonly neverHalts: boolean;
  readonly atr: Uint8Array;
  respond(apdu: Uint8Array): Uint8Array;
  /** the APDU that carries the identifier: the card "has been read" once it answered this */
  isReadCommand(apdu: Uint8Array): boolean;
}

const MIFARE_CLASSIC_1K = 0x0001;
const MIFARE_ULTRALIGHT = 0x0003;

/** A MIFARE Classic (4-byte UID) or Ultralight (7-byte); 10-byte UIDs as a Classic too. */
export function mifareCard(uid: Uint8Array): SimCard {
  const copy = Uint8Array.from(uid);
  return {
    label: uid.length === 7 ? "MIFARE Ultralight (7-byte UID)" : `MIFARE Classic (${uid.length}-byte UID)`,
    neverHalts: false,
    atr: storageCardAtr(uid.length === 7 ? MIFARE_ULTRALIGHT : MIFARE_CLASSIC_1K),
    respond(apdu) {
      // GET DATA is answered by the reader from anticollision; a storage card knows no ISO 7816 APDUs.
      if (sameBytes(apdu, GET_UID)) return buildResponse(copy, SW_OK);
      const c = parseCommand(apdu);
      return buildResponse(new Uint8Array(), c?.cla === 0xff ? SW_INS_NOT_SUPPORTED : SW_CLA_NOT_SUPPORTED);
    },
    isReadCommand: (apdu) => sameBytes(apdu, GET_UID),
  };
}

/**
 * The China resident ID card: ISO 14443 Type B, answers `00 36 00 00 08` with its 8-byte chip
 * serial. Through a PC/SC reader GET DATA returns its PUPI, which the driver must not use.
 */
export function residentIdCard(serial: Uint8Array): SimCard {
  const copy = Uint8Array.from(serial);
  const pupi = Uint8Array.from([0x00, 0x00, 0x00, 0x00]);
  return {
    label: "resident ID card (Type B)",
    neverHalts: true,
    atr: typeBAtr([0x00, 0x00, 0x00, 0x00], [0x00, 0x91, 0x81]),
    respond(apdu) {
      if (sameBytes(apdu, RESIDENT_ID_SERIAL)) return buildResponse(copy, SW_OK);
      if (sameBytes(apdu, GET_UID)) return buildResponse(pupi, SW_OK);
      const c = parseCommand(apdu);
      if (!c) return buildResponse(new Uint8Array(), SW_WRONG_LENGTH);
      return buildResponse(new Uint8Array(), SW_INS_NOT_SUPPORTED);
    },
    isReadCommand: (apdu) => sameBytes(apdu, RESIDENT_ID_SERIAL),
  };
}

/**
 * A card that answers garbage: a damaged antenna, a counterfeit, a card from another system. Its
 * ATR is plausible, so pcscd powers it; every answer is random bytes without a valid status word.
 */
export function brokenCard(random: () => number = Math.random): SimCard {
  return {
    label: "broken card (answers garbage)",
    neverHalts: false,
    atr: storageCardAtr(MIFARE_CLASSIC_1K),
    respond() {
      const n = 1 + Math.floor(random() * 3);
      // Never ends in 90 00: a garbage answer that happens to look valid would be a real UID.
      return Uint8Array.from({ length: n }, () => Math.floor(random() * 0x90));
    },
    isReadCommand: () => true,
  };
}
