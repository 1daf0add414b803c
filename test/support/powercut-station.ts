/**
 * The station as its own process, for the power-cut test: boots the station file given as the
 * first argument, keeps tapping unknown cards (an access.denied event per tap) and enrolling
 * credentials through a second connection to the credential store (as the credentials CLI
 * does). It reports on stdout, one line each, only what was acknowledged as durable:
 *
 *   {"msg":"ready","lastSeq":N}   the journal opened and the bus numbers on after N
 *   d N                           the journal committed every event up to seq N
 *   e HASH                        an enrolment returned from its transaction
 *   s N                           the station-state file was saved with lockout N (its own copy,
 *                                 powercut-state.json, saved every 10 ms; the station's own
 *                                 station-state.json is written too, when the taps lock it out)
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pino from "pino";
import { loadConfigFile } from "../../config/load.ts";
import { SqliteCredentialStore } from "../../controller/access/sqlite-credential-store.ts";
import { EMPTY_STATION_STATE, StationStateFile } from "../../controller/persist/station-state-file.ts";
import { bootStation } from "../../scripts/boot.ts";
import { nextUnknownUid } from "./uids.ts";

const [file] = process.argv.slice(2);
if (!file) throw new Error("usage: powercut-station.ts STATION_FILE");
const config = loadConfigFile(file);
const booted = await bootStation({ config, logger: pino({ level: "silent" }) });
const out = (line: string) => process.stdout.write(`${line}\n`);
booted.station.journal.onCommit(({ upTo }) => out(`d ${upTo}`));

const enrol = new SqliteCredentialStore(join(config.dataDir, "credentials.db"));
enrol.open();

out(JSON.stringify({ msg: "ready", lastSeq: booted.station.bus.lastSeq }));
setInterval(() => {
  for (let i = 0; i < 4; i++) booted.sim?.control.tap(nextUnknownUid());
}, 2);
setInterval(() => {
  const credential = randomBytes(32).toString("hex");
  enrol.upsert([
    {
      credential,
      personId: `p-${credential.slice(0, 8)}`,
      role: "worker",
      status: "active",
      secondFactor: false,
    },
  ]);
  out(`e ${credential}`);
}, 15);
const stateFile = new StationStateFile(join(config.dataDir, "powercut-state.json"));
// Numbered on from what the file holds, so the parent can require "this save or a later one".
let saves = stateFile.load().state.lockouts.entry?.untilMs ?? 0;
setInterval(() => {
  saves++;
  const fire = saves % 2 === 0 ? "off" : "latched";
  stateFile.save({ ...EMPTY_STATION_STATE, fire, lockouts: { entry: { untilMs: saves } } }, new Date());
  out(`s ${saves}`);
}, 10);
