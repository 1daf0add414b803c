import { createPrivateKey, type KeyObject, randomBytes, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { StationError } from "../../config/errors.ts";

/** The central side of docs/central-integration.md, in Node: build an envelope, sign its bytes. */
export interface SignedMessage {
  kid: string;
  envelope: string;
  sig: string;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export function loadSigningKey(file: string, kid: string): SigningKey {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (cause) {
    throw new StationError("KEY_FILE_INVALID", "cli", `cannot read the private key ${file}`, {
      cause,
      hint: "make one with: waystation central keygen --kid KID --out DIR",
    });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (cause) {
    throw new StationError("KEY_FILE_INVALID", "cli", `${file} is not a private key (PEM)`, {
      cause,
      hint: "pass the .key file central keygen wrote (not the .pub)",
    });
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new StationError("KEY_FILE_INVALID", "cli", `${file} is not an Ed25519 private key`);
  }
  return { kid, privateKey };
}

export function commandEnvelope(opts: {
  station: string;
  name: string;
  args?: Record<string, unknown>;
  now?: number;
  lifetimeS?: number;
  id?: string;
}): Record<string, unknown> & { id: string } {
  const now = opts.now ?? Date.now();
  return {
    kind: "command",
    id: opts.id ?? `c-${now.toString(36)}-${randomBytes(4).toString("hex")}`,
    station: opts.station,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + (opts.lifetimeS ?? 300) * 1000).toISOString(),
    nonce: randomBytes(18).toString("base64url"),
    name: opts.name,
    args: opts.args ?? {},
  };
}

/** Sign the exact UTF-8 bytes of the serialised envelope; they travel as base64url beside the signature. */
export function signEnvelope(envelope: unknown, key: SigningKey): SignedMessage {
  const bytes = Buffer.from(JSON.stringify(envelope), "utf8");
  return {
    kid: key.kid,
    envelope: bytes.toString("base64url"),
    sig: sign(null, bytes, key.privateKey).toString("base64url"),
  };
}
