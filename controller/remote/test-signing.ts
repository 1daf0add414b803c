import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

/** Test helpers: a central key pair and a signer that follows docs/central-integration.md. */
export function centralKey(kid: string) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    kid,
    privateKey,
    pinned: { kid, publicKey: publicKey.export({ format: "pem", type: "spki" }).toString(), retired: false },
  };
}

export function signEnvelope(
  key: { kid: string; privateKey: ReturnType<typeof centralKey>["privateKey"] },
  envelope: unknown,
) {
  const bytes = Buffer.from(JSON.stringify(envelope), "utf8");
  return {
    kid: key.kid,
    envelope: bytes.toString("base64url"),
    sig: sign(null, bytes, key.privateKey).toString("base64url"),
  };
}

export function commandEnvelope(over: Record<string, unknown> = {}, now = Date.now()) {
  return {
    kind: "command",
    id: `c-${randomBytes(6).toString("hex")}`,
    station: "test-station",
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
    nonce: randomBytes(16).toString("base64url"),
    name: "unlock",
    args: {},
    ...over,
  };
}
