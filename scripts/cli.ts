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
  face enrol|forget ...  enrol a face from images (consent recorded); erase a person's face and credentials
  sim tap CARD [--reader ID] | push-door | hold-door | release-door | force-door | exit-button
      | jam leaf|lock|none | contact ok|stuck-closed|cut | fire-alarm on|off | tamper on|off
      | on-battery on|off | time-quality synced|rtc|unknown | set-time ISO | face WHO | state
                         act at a running simulated station; tap answers with the decision
                         CARD: a UID in hex (4, 7 or 10 bytes), a resident ID serial (8 bytes),
                         broken (PC/SC); keys:1234#, truncated:UID, noise (Wiegand)
  door fire-reset        a technician's reset after a fire alarm (rule: manual-reset)
  doctor [--json]        check the station file, secrets, a second instance, disk and journal, the
                         clock, the broker (CONNACK with the station's credentials), and each
                         subsystem's own checks (GPIO, readers); each with a fix. Exit 0 all
                         passed, 1 a check failed, 2 the station file is invalid
  selftest [--attended]  commissioning: pulse the lock (--attended: you open the door when asked and
                         the contact must answer), input levels, blink and beep each reader;
                         pass/fail per item, a report kept in the data dir; exit 1 if any failed

  Commands that act on the running station (sim, door, selftest) reach it through its control
  socket, found from the station file: --config FILE (default: the demo's), or --socket PATH.
  --json prints the station's whole reply. Exit codes: 0 done, 1 refused or failed, 2 an unknown
  command or option, or an invalid station file.
  door fire-reset [--console URL]
                         a technician's reset after a fire alarm (rule: manual-reset)
  power outlet outlet=ID action=start|stop|clear | release-battery slot=N | swap | swap-cancel
      | safety-reset   [--console URL]
                         outlets, the battery cabinet and the safety coordinator (a technician)
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
  face: async () => (await import("./commands/face.ts")).face,
  sim: async () => (await import("./commands/remote.ts")).sim,
  door: async () => (await import("./commands/remote.ts")).door,
  selftest: async () => (await import("./commands/remote.ts")).selftest,
  doctor: async () => (await import("./commands/doctor.ts")).doctor,
  power: async () => (await import("./commands/power.ts")).power,
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
    } else if (String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")) {
      // an unknown or malformed option: what the user typed, not a bug
      process.stderr.write(`error: ${(err as Error).message}\n  hint: waystation --help\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
