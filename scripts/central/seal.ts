import { readFileSync } from "node:fs";
import { StationError } from "../../config/errors.ts";
import { type SealedKey, sealCredentialKey } from "../../controller/remote/sealed-key.ts";
import { credentialKeyFingerprint } from "../../device/identity/hasher.ts";

export interface SealKeyOptions {
  station: string;
  /** the station's X25519 public key as `credential-key-rotate` status gives it (base64url) */
  stationPublicKey: string;
  /** a file holding the next credential key, 64 hex digits (kept out of ps and shell history) */
  credentialKeyFile: string;
}

/** The `begin` arguments of `credential-key-rotate`: the next key sealed to one station. */
export interface BeginArgs {
  action: "begin";
  fingerprint: string;
  sealed: SealedKey;
}

function usage(message: string, hint: string): StationError {
  return new StationError("CLI_USAGE", "cli", message, { hint });
}

/** `waystation central seal-key`: what docs/central-integration.md's Python block does. */
export function sealKeyFor(o: SealKeyOptions): BeginArgs {
  if (!/^[A-Za-z0-9_-]{43}$/.test(o.stationPublicKey))
    throw usage(
      "--station-public-key is not an X25519 public key (32 bytes, base64url: 43 characters)",
      'take it from the station: waystation central send credential-key-rotate --args \'{"action":"status"}\' ...',
    );
  let text: string;
  try {
    text = readFileSync(o.credentialKeyFile, "utf8").trim();
  } catch (cause) {
    throw new StationError("INPUT_FILE_INVALID", "cli", `cannot read ${o.credentialKeyFile}`, {
      cause,
      hint: "make the next key with: (umask 077; openssl rand -hex 32 > next-credential.key)",
    });
  }
  if (!/^[0-9a-f]{64}$/.test(text))
    throw new StationError(
      "KEY_FILE_INVALID",
      "cli",
      `${o.credentialKeyFile} does not hold a credential key (64 lower-case hex digits)`,
      { hint: "make the next key with: (umask 077; openssl rand -hex 32 > next-credential.key)" },
    );
  return {
    action: "begin",
    fingerprint: credentialKeyFingerprint(text),
    sealed: sealCredentialKey(o.station, o.stationPublicKey, text),
  };
}
