import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** `waystation central keygen`: an Ed25519 pair, the private half 0600, and the lines to pin. */
export function generateCentralKey(
  kid: string,
  dir: string,
): { privateFile: string; publicPem: string; pin: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  mkdirSync(dir, { recursive: true });
  const privateFile = join(dir, `${kid}.key`);
  writeFileSync(privateFile, privateKey.export({ format: "pem", type: "pkcs8" }), {
    mode: 0o600,
    flag: "wx",
  });
  const publicPem = publicKey.export({ format: "pem", type: "spki" }).toString();
  writeFileSync(join(dir, `${kid}.pub`), publicPem, { flag: "wx" });
  const oneLine = publicKey.export({ format: "der", type: "spki" }).toString("base64");
  return { privateFile, publicPem, pin: `    - { kid: ${kid}, publicKey: "${oneLine}" }` };
}
