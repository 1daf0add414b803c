import Database from "better-sqlite3";

/** What the credential store's file says about the keys its rows were hashed under. */
export interface StoredKeys {
  /** the key the locally enrolled rows were hashed under, and how many there are */
  local: { fingerprint: string | undefined; count: number };
  /** the central list's key (docs/central-integration.md) and its size */
  central: { fingerprint: string | undefined; count: number };
  /** during a credential key rotation: the next key */
  next: string | undefined;
}

/** Read-only; undefined when there is no store yet, or it cannot be read (the station reports that). */
export function readStoredKeys(file: string): StoredKeys | undefined {
  let opened: Database.Database | undefined;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    opened = db;
    const meta = new Map(
      (db.prepare("SELECT key, value FROM meta").all() as { key: string; value: unknown }[]).map((r) => [
        r.key,
        String(r.value),
      ]),
    );
    const count = (table: string) => {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      return exists ? (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n : 0;
    };
    const stored = meta.get("keyFingerprint");
    return {
      local: { fingerprint: stored, count: count("credentials") },
      // a list from before lists named their key was hashed under the store's
      central: {
        fingerprint: meta.get("list_key_fingerprint") ?? stored,
        count: count("central_credentials"),
      },
      next: meta.get("keyFingerprintNext"),
    };
  } catch {
    return undefined;
  } finally {
    opened?.close();
  }
}

export interface KeyProblem {
  detail: string;
  hint: string;
}

/**
 * Rows hashed under a key the station does not hold are cards refused as `unknown`: the local
 * rows must match the secrets file's key (the station refuses to start otherwise), and the
 * central list its current or next key (the station starts, but that list's cards fail).
 */
export function keyProblems(stored: StoredKeys, current: string, secretsFile: string): KeyProblem[] {
  const out: KeyProblem[] = [];
  const { local, central } = stored;
  if (local.count > 0 && local.fingerprint !== undefined && local.fingerprint !== current) {
    out.push({
      detail: `the secrets file's key (fingerprint ${current}) is not the one the ${local.count} enrolled credentials were hashed with (${local.fingerprint})`,
      hint: `restore the fleet's key (fingerprint ${local.fingerprint}) in ${secretsFile}; the station refuses to start until then`,
    });
  }
  const held = [current, stored.next];
  if (central.count > 0 && central.fingerprint !== undefined && !held.includes(central.fingerprint)) {
    out.push({
      detail: `the central list's ${central.count} credentials are hashed under key ${central.fingerprint}, which this station no longer holds (its key: ${current}); every card on it is refused`,
      hint: `have the central server send a full list hashed under key ${current} (waystation central list full ... --key-fingerprint ${current})`,
    });
  }
  return out;
}
