import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { StationError } from "../../config/errors.ts";

const MAGIC = Buffer.from("WSFT1\n", "latin1");
const NONCE = 12;
const TAG = 16;

/**
 * AES-256-GCM with a fresh 96-bit nonce per write. `aad` binds the ciphertext to its file name, so
 * a template file renamed to another person's name fails to open instead of matching as them.
 */
export function seal(key: Buffer, aad: string, plaintext: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, nonce, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, aad: string, sealed: Uint8Array): Buffer {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (b.length < MAGIC.length + NONCE + TAG || !b.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new StationError("FACE_TEMPLATES_UNREADABLE", "face", "not a template file");
  }
  const nonce = b.subarray(MAGIC.length, MAGIC.length + NONCE);
  const tag = b.subarray(MAGIC.length + NONCE, MAGIC.length + NONCE + TAG);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(b.subarray(MAGIC.length + NONCE + TAG)), decipher.final()]);
  } catch (cause) {
    throw new StationError("FACE_TEMPLATES_UNREADABLE", "face", "a template file failed authentication", {
      cause,
      hint: "a wrong faceTemplateKey in the secrets file, or a damaged file",
    });
  }
}

/** The template file's name: a keyed hash of the person id, so the directory names nobody. */
export function templateFileName(key: Buffer, personId: string): string {
  return `${createHmac("sha256", key).update("face-template-name\0").update(personId).digest("hex").slice(0, 32)}.tpl`;
}

export function parseKey(hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new StationError(
      "FACE_TEMPLATES_UNREADABLE",
      "face",
      "the face template key is not 32 bytes of hex",
    );
  }
  return Buffer.from(hex, "hex");
}
