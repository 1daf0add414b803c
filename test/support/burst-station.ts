/**
 * A station as its own process, for tests that kill it: boots the station file given as the
 * first argument and, unless `--quiet`, keeps tapping an unknown card (an access.denied event
 * per tap) until it is killed. It prints `{"msg":"burst"}` once the station is ready.
 */
import pino from "pino";
import { loadConfigFile } from "../../config/load.ts";
import { bootStation } from "../../scripts/boot.ts";
import { nextUnknownUid } from "./uids.ts";

const [file, mode] = process.argv.slice(2);
if (!file) throw new Error("usage: burst-station.ts STATION_FILE [--quiet]");
const config = loadConfigFile(file);
const booted = await bootStation({ config, logger: pino({ level: "warn" }) });
if (mode !== "--quiet") {
  setInterval(() => {
    for (let i = 0; i < 10; i++) booted.sim?.control.tap(nextUnknownUid());
  }, 1);
}
process.stdout.write(
  `${JSON.stringify({ msg: mode === "--quiet" ? "quiet" : "burst", lastSeq: booted.station.bus.lastSeq })}\n`,
);
const stop = () => {
  booted.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
