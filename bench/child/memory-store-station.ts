/**
 * The baseline for access.rss and access.coldstart: the same station, but with the naive store —
 * every credential read from the database into a JS Map at start. Run as a child process.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { loadConfigFile } from "../../config/load.ts";
import { MemoryCredentialStore } from "../../controller/access/credential-store.ts";
import { bootStation } from "../../scripts/boot.ts";
import { cliLogger } from "../../scripts/logging.ts";
import { stopOnSignals } from "../../scripts/signals.ts";

const file = process.argv[2];
if (!file) throw new Error("usage: memory-store-station.ts CONFIG");
const config = loadConfigFile(file);
const logger = await cliLogger("info", { pretty: false });
const db = new Database(join(config.dataDir, "credentials.db"), { readonly: true });
const store = new MemoryCredentialStore();
for (const row of db.prepare("SELECT hash, person_id, role, status FROM credentials").iterate() as Iterable<{
  hash: Buffer;
  person_id: string;
  role: "worker";
  status: "active";
}>) {
  store.add(row.hash.toString("hex"), {
    personId: row.person_id,
    role: row.role,
    status: row.status,
    secondFactor: false,
  });
}
db.close();
const booted = await bootStation({ config, logger, credentialStore: store });
stopOnSignals(() => booted.stop(), logger);
