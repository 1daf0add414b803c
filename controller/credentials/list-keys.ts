import type { Database as Db } from "better-sqlite3";

/**
 * Which credential key a central list is hashed under. Every list names its key by fingerprint
 * (`keyFingerprint`, device/identity/hasher.ts); the station takes a list only under a key it
 * holds: the current one, or during a credential key rotation the next one too. A delta must be
 * under the key of the list it changes (a list hashed half under one key and half under another
 * cannot be told apart from a broken one): otherwise the centre is asked for a full list.
 */
export interface ListKeyState {
  /** the key the station hashes under (the credential store's record of it) */
  current?: string | undefined;
  /** during a rotation: the next key */
  next?: string | undefined;
  /** the key the active central list is hashed under; undefined while there is none */
  list?: string | undefined;
}

export type ListKeyCode = "LIST_KEY_UNKNOWN" | "LIST_KEY_MISMATCH";

export interface ListKeyRefusal {
  code: ListKeyCode;
  detail: string;
  data: Record<string, unknown>;
}

/** The verdict on a list under `fingerprint`; undefined: the station can take it. */
export function listKeyRefusal(
  state: ListKeyState,
  fingerprint: string,
  type: "full" | "delta",
): ListKeyRefusal | undefined {
  const held = [state.current, state.next].filter((k): k is string => k !== undefined);
  const data = { current: state.current ?? null, next: state.next ?? null };
  if (!held.includes(fingerprint)) {
    return {
      code: "LIST_KEY_UNKNOWN",
      detail:
        held.length === 0
          ? "the station has no credential key on record"
          : `hashed under key ${fingerprint}; the station holds ${held.join(" and ")}`,
      data,
    };
  }
  if (type === "delta" && state.list !== undefined && state.list !== fingerprint) {
    return {
      code: "LIST_KEY_MISMATCH",
      detail: `a delta under key ${fingerprint} on a list under ${state.list}`,
      data: { ...data, list: state.list, request: "full" },
    };
  }
  return undefined;
}

function meta(db: Db, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: unknown } | undefined;
  return row === undefined ? undefined : String(row.value);
}

/** The keys as the credential store's file records them (meta rows). */
export function readListKeyState(db: Db): ListKeyState {
  const hasList = Number(meta(db, "list_version") ?? 0) > 0;
  return {
    current: meta(db, "keyFingerprint"),
    next: meta(db, "keyFingerprintNext"),
    list: hasList ? meta(db, "list_key_fingerprint") : undefined,
  };
}

/**
 * Files from before lists named their key: staged chunks of the older layout are dropped (the
 * centre sends them again; nothing of the active list is lost), and an active list gets the key
 * the store recorded, which is the only key it can have been applied under (the station refused
 * to start with another). Idempotent; runs in one transaction at open.
 */
export function migrateListKeys(db: Db): void {
  db.transaction(() => {
    const cols = db.prepare("SELECT name FROM pragma_table_info('list_chunks')").all() as { name: string }[];
    if (cols.length > 0 && !cols.some((c) => c.name === "entries_hash")) {
      db.exec("DROP TABLE list_chunks; DROP TABLE IF EXISTS list_rows");
    }
    const hasList = Number(meta(db, "list_version") ?? 0) > 0;
    const store = meta(db, "keyFingerprint");
    if (hasList && store !== undefined && meta(db, "list_key_fingerprint") === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('list_key_fingerprint', ?)").run(store);
    }
  })();
}
