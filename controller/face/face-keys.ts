import { hkdfSync } from "node:crypto";
import { loadSecretsFile } from "../../config/secrets.ts";
import { createIdentifierHasher } from "../../device/identity/hasher.ts";

export interface FaceKeys {
  /** 64 hex: the AES-256-GCM key of the template files */
  readonly templateKey: string;
  /** the keyed hash a person's face entry is stored under in the credential store */
  faceCredential(personId: string): string;
  /** the external face terminals' webhook secret, when provisioned */
  readonly terminalSecret?: string | undefined;
}

/**
 * The template key comes from the secrets file (faceTemplateKey, made by `secrets init`). A file
 * made before face support has none: then a key is derived from the credential key and the
 * station id (HKDF-SHA256), so templates are still encrypted and still bound to this station.
 */
export function faceKeys(secretsFile: string, stationId: string): FaceKeys {
  const secrets = loadSecretsFile(secretsFile);
  const templateKey =
    secrets.faceTemplateKey ??
    Buffer.from(
      hkdfSync(
        "sha256",
        Buffer.from(secrets.credentialKey, "hex"),
        stationId,
        "waystation face templates",
        32,
      ),
    ).toString("hex");
  const hash = createIdentifierHasher(secrets.credentialKey);
  return {
    templateKey,
    faceCredential: (personId) => hash("face", Buffer.from(personId, "utf8")),
    terminalSecret: secrets.faceTerminalSecret,
  };
}
