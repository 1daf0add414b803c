import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { z } from "zod";

/**
 * How a next credential key reaches a station without travelling in clear
 * (docs/central-integration.md, "Rolling the credential key"): sealed to the station's own
 * X25519 key. The centre makes an ephemeral X25519 pair, derives the wrapping key with HKDF from
 * the shared secret, and encrypts the 32-byte credential key with AES-256-GCM, bound to the
 * station's id. Only that station can open it; a recorded command reveals nothing, and neither
 * does the current credential key (a key rotated because it leaked stays safe).
 */
export const SealedKeySchema = z
  .object({
    epk: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "the ephemeral X25519 public key: 32 bytes, base64url"),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16}$/, "the AES-GCM nonce: 12 bytes, base64url"),
    ciphertext: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{64}$/,
        "AES-256-GCM ciphertext of the 32-byte key and its 16-byte tag: base64url",
      ),
  })
  .strict();
export type SealedKey = z.output<typeof SealedKeySchema>;

const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
const INFO = "waystation credential-key v1\n";

function privateKeyOf(stationKey: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(stationKey, "base64"), format: "der", type: "pkcs8" });
}

function rawPublic(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: "der", type: "spki" }).subarray(SPKI_X25519.length);
}

function publicFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519, raw]), format: "der", type: "spki" });
}

/** The station's public key, 32 raw bytes as base64url: what the centre seals to. */
export function stationPublicKey(stationKey: string): string {
  return rawPublic(privateKeyOf(stationKey)).toString("base64url");
}

function wrappingKey(shared: Buffer, epk: Buffer, stationPub: Buffer, stationId: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", shared, Buffer.concat([epk, stationPub]), Buffer.from(INFO + stationId, "utf8"), 32),
  );
}

/** The centre's side (waystation central, tests): seal `keyHex` to the station's public key. */
export function sealCredentialKey(stationId: string, stationPub: string, keyHex: string): SealedKey {
  const pub = Buffer.from(stationPub, "base64url");
  const eph = generateKeyPairSync("x25519");
  const epk = rawPublic(eph.privateKey);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: publicFromRaw(pub) });
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", wrappingKey(shared, epk, pub, stationId), nonce);
  cipher.setAAD(Buffer.from(stationId, "utf8"));
  const ct = Buffer.concat([cipher.update(Buffer.from(keyHex, "hex")), cipher.final(), cipher.getAuthTag()]);
  return {
    epk: epk.toString("base64url"),
    nonce: nonce.toString("base64url"),
    ciphertext: ct.toString("base64url"),
  };
}

/** The station's side: the credential key, or undefined when it was not sealed to this station. */
export function openSealedKey(stationKey: string, stationId: string, sealed: SealedKey): string | undefined {
  try {
    const priv = privateKeyOf(stationKey);
    const epk = Buffer.from(sealed.epk, "base64url");
    const shared = diffieHellman({ privateKey: priv, publicKey: publicFromRaw(epk) });
    const ct = Buffer.from(sealed.ciphertext, "base64url");
    const decipher = createDecipheriv(
      "aes-256-gcm",
      wrappingKey(shared, epk, rawPublic(priv), stationId),
      Buffer.from(sealed.nonce, "base64url"),
    );
    decipher.setAAD(Buffer.from(stationId, "utf8"));
    decipher.setAuthTag(ct.subarray(32));
    const key = Buffer.concat([decipher.update(ct.subarray(0, 32)), decipher.final()]);
    return key.length === 32 ? key.toString("hex") : undefined;
  } catch {
    return undefined;
  }
}
