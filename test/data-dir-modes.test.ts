import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isStationError } from "../config/errors.ts";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

const modeOf = (p: string) => lstatSync(p).mode & 0o777;
const booted: BootedStation[] = [];
let umask = 0;

// The usual umask of a shell or a unit without UMask=: files would be 0644 unless the code says.
beforeAll(() => {
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
});
afterEach(async () => {
  for (const b of booted.splice(0)) await b.stop();
});

async function station(dataDir: string): Promise<BootedStation> {
  const dir = mkdtempSync(join(tmpdir(), "ws-modes-"));
  const file = writeStationFile(dir, {
    dataDir,
    brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
    allowUid: "04A1B2C3",
  });
  const b = await bootStation({ config: loadConfigFile(file), logger: pino({ level: "silent" }) });
  booted.push(b);
  return b;
}

describe("the data directory is the service user's alone", () => {
  it("the directory is created 0700 and everything in it 0600, journal, store and their WAL files", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "ws-modes-")), "data");
    const b = await station(dataDir);
    b.sim?.control.tap("04A1B2C3"); // a grant: journal rows, the relay counter
    await waitFor(() => b.station.journal.status().durableSeq > 0, "events on disk");
    const check = (): string[] => {
      const names = readdirSync(dataDir);
      expect(modeOf(dataDir)).toBe(0o700);
      expect(Object.fromEntries(names.map((n) => [n, modeOf(join(dataDir, n)).toString(8)]))).toEqual(
        Object.fromEntries(names.map((n) => [n, "600"])),
      );
      return names;
    };
    // While it runs (the SQLite -wal and -shm files exist) and after a clean stop.
    expect(check()).toEqual(
      expect.arrayContaining(["journal.db", "journal.db-wal", "credentials.db", "credentials.db-wal"]),
    );
    await b.stop();
    booted.splice(0);
    expect(check()).toEqual(expect.arrayContaining(["journal.db", "credentials.db", "relay-cycles.json"]));
  });

  it("a directory others can read is refused at start, with the command that fixes it", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "ws-modes-")), "data");
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const err = await station(dataDir).catch((e: unknown) => e);
    expect(isStationError(err, "DATA_PERMISSIONS")).toBe(true);
    expect((err as Error & { details: { hint: string } }).details.hint).toContain(`chmod 700 ${dataDir}`);
  });

  it("a file in it that others can read is refused too, by name", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "ws-modes-")), "data");
    mkdirSync(dataDir, { mode: 0o700 });
    writeFileSync(join(dataDir, "journal.db"), "", { mode: 0o644 });
    const err = await station(dataDir).catch((e: unknown) => e);
    expect(isStationError(err, "DATA_PERMISSIONS")).toBe(true);
    expect((err as Error).message).toContain("journal.db (mode 644)");
    expect(statSync(join(dataDir, "journal.db")).size).toBe(0); // nothing was opened
  });
});
