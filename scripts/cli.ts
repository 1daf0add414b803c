import { isStationError } from "../config/errors.ts";
import type { Command } from "./commands/usage.ts";

const USAGE = `waystation <command>

  demo [--broker URL] [--broker-port N] [--console-port N] [--data-dir DIR] [--no-pcscd]
                         run a whole station on simulated hardware (what npm start runs)
                         --no-pcscd: the in-process card reader even where pcscd + vpcd exist
  run --config FILE      run the station described by FILE
  lock safe --config FILE
                         drive the lock relay alone to its safe level (de-energised); for the
                         service's ExecStopPost=. Reads only FILE's lock relay settings
  config validate FILE   check a station file; every problem with its path and a hint
  config schema [--write]
                         print the JSON Schema of station files (--write: config/schema.json)
  secrets init FILE      create a secrets file with a fresh credential key (mode 0600)
  credentials ...        enrol, block, remove and import cards; hash ID for access.allowList
                         (waystation credentials for the list)
  sim tap CARD [--reader ID] | push-door | hold-door | release-door | force-door | exit-button
      | jam leaf|lock|none | fire-alarm on|off | tamper on|off | on-battery on|off
      | time-quality synced|rtc|unknown | set-time ISO | state   [--console URL]
                         act at a running simulated station (default http://127.0.0.1:8080)
                         CARD: a UID in hex (4, 7 or 10 bytes), a resident ID serial (8 bytes),
                         broken (PC/SC); keys:1234#, truncated:UID, noise (Wiegand)
  door fire-reset [--console URL]
                         a technician's reset after a fire alarm (rule: manual-reset)
  tail --broker URL [--station ID]... [--share GROUP] [--client-id ID] [--protocol 4|5] [--lines|--json]
                         watch stations as the central server would (persistent session); validates
                         every message, drops duplicates by id, reports seq gaps
  contract asyncapi [--write]
                         the AsyncAPI 3 document of the MQTT contract (--write: docs/asyncapi.yaml)
  central keygen --kid KID [--out DIR]
  central sign|send NAME --key FILE --kid KID --station ID [--args JSON] [--broker URL]
                         the central server's side: Ed25519 keys, signed commands, send and wait
                         for the reply (docs/central-integration.md)
  bench [--quick]        run the benchmarks; writes bench/results.json
`;

/**
 * Each command is loaded only when it runs: a station process (`run`) must not carry the demo's
 * broker, the benchmarks or the console client in its memory.
 */
const commands: Record<string, () => Promise<Command>> = {
  demo: async () => (await import("./commands/station.ts")).demo,
  run: async () => (await import("./commands/station.ts")).run,
  lock: async () => (await import("./commands/lock.ts")).lock,
  config: async () => (await import("./commands/config.ts")).config,
  secrets: async () => (await import("./commands/config.ts")).secrets,
  credentials: async () => (await import("./commands/credentials.ts")).credentials,
  sim: async () => (await import("./commands/remote.ts")).sim,
  door: async () => (await import("./commands/remote.ts")).door,
  tail: async () => (await import("./tail/tail.ts")).runTail,
  contract: async () => (await import("./commands/contract.ts")).contract,
  central: async () => (await import("./commands/central.ts")).central,
  bench: async () => (await import("../bench/run.ts")).benchCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (isStationError(err)) {
      process.stderr.write(`error: ${err.describe()}\n`);
      process.exitCode = err.code === "CONFIG_INVALID" || err.code === "CONFIG_UNREADABLE" ? 2 : 1;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
