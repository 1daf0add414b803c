import { Argument, type Command } from "commander";

/** The station commands `power` reaches; any other name is refused here, not sent (exit 2). */
export const POWER_COMMANDS = ["outlet", "release-battery", "swap", "swap-cancel", "safety-reset"];

import { type CliKit, configOption, jsonOption } from "./program.ts";

const socketOption = ["--socket <path>", "the control socket (default: the station file's)"] as const;

/** Commands that run a station or act on the running one through its control socket. */
export function registerStation({ program, done }: CliKit): void {
  const station = async () => import("../commands/station.ts");
  const remote = async () => import("../commands/remote.ts");

  program
    .command("demo")
    .description("run a whole station on simulated hardware (what npm start runs)")
    .option("--broker <url>", "an external broker instead of the embedded one")
    .option("--broker-port <n>", "the embedded broker's port")
    .option("--console-port <n>", "the console's port")
    .option("--data-dir <dir>", "where the demo keeps its data")
    .addOption(configOption())
    .option("--no-pcscd", "the in-process card reader even where pcscd + vpcd exist")
    .action(async (opts) => done(await (await station()).demo(opts)));

  program
    .command("run")
    .description("run the station described by the station file (the service runs this)")
    .option("-c, --config <file>", "the station file (required)")
    .action(async (opts) => done(await (await station()).run(opts)));

  program
    .command("lock")
    .description("drive the lock relay alone to its safe level (the service's ExecStopPost=)")
    .command("safe")
    .description("de-energise the lock relay; reads only the station file's lock settings")
    .option("-c, --config <file>", "the station file (required)")
    .action(async (opts) => done(await (await import("../commands/lock.ts")).lockSafe(opts)));

  const onStation = (cmd: Command) =>
    cmd
      .addOption(configOption())
      .option(...socketOption)
      .addOption(jsonOption());

  onStation(
    program
      .command("sim")
      .description("act at a running simulated station: tap a card, push the door, raise a fire alarm, ...")
      .argument(
        "<action>",
        "tap | push-door | hold-door | release-door | force-door | exit-button | jam | contact | fire-alarm | tamper | on-battery | time-quality | set-time | face | smoke | cabinet-smoke | thermal-runaway | hang-board | state",
      )
      .argument("[value]", "the action's value: a card UID, on|off, a fault, an ISO time, who")
      .option("--reader <id>", "sim tap: the reader (default: the first)"),
  ).action(async (action: string, value: string | undefined, opts) =>
    done(await (await remote()).sim(action, value, opts)),
  );

  onStation(
    program
      .command("door")
      .description("technician actions on the running station's door")
      .addArgument(
        new Argument(
          "<action>",
          "fire-reset: a technician's reset after a fire alarm (rule: manual-reset)",
        ).choices(["fire-reset"]),
      ),
  ).action(async (action: string, opts) => done(await (await remote()).door(action, opts)));

  onStation(
    program
      .command("selftest")
      .description(
        "commissioning: pulse the lock, read inputs, sensors and meters, blink and beep each reader; a report kept and sent",
      )
      .option("--attended", "you are at the door: open it when asked, the contact must answer"),
  ).action(async (opts) => done(await (await remote()).selftest(opts)));

  program
    .command("doctor")
    .description(
      "check the station file, secrets, hardware, broker, clock, disk and journal; each failure with a fix",
    )
    .addOption(configOption())
    .addOption(jsonOption())
    .option("--troubleshooting", "print docs/troubleshooting.md, generated from the checks")
    .option("--write", "with --troubleshooting: write docs/troubleshooting.md")
    .action(async (opts) => done(await (await import("../commands/doctor.ts")).doctor(opts)));

  program
    .command("events")
    .description("the station's local journal, newest last (read-only; the station may be running)")
    .addOption(configOption())
    .option("-n, --limit <n>", "how many events", "50")
    .option(
      "--type <prefix>",
      "only events whose type starts with this, e.g. access. or door. (comma-separated: any)",
    )
    .option("--since <iso>", "only events at or after this time")
    .option("--text <text>", "only events with this text anywhere in them (a person, a reader, a code)")
    .addOption(jsonOption())
    .action(async (opts) => {
      const { events } = await import("../commands/events.ts");
      done(await events(opts));
    });

  onStation(
    program
      .command("power")
      .description("outlets, the battery cabinet and the safety coordinator")
      .addArgument(new Argument("<command>", "what to do").choices(POWER_COMMANDS))
      .argument("[args...]", "key=value: outlet=ID action=start|stop|clear, slot=N")
      .addHelpText(
        "after",
        "\nExamples:\n  waystation power outlet outlet=ebike-2 action=clear\n  waystation power release-battery slot=3\n",
      ),
  ).action(async (name: string, pairs: string[], opts) =>
    done(await (await import("../commands/power.ts")).power(name, pairs, opts)),
  );
  program
    .command("provision")
    .description("commissioning: the station id, its keys and a console user (no default password)")
    .addOption(configOption())
    .option("--station-id <id>", "set station.id in the station file (comments kept)")
    .option("--user <name>", "the console user", "technician")
    .option("--role <role>", "technician or viewer", "technician")
    .option("--password-stdin", "read the password from stdin (else one is generated and shown once)")
    .option("--credential-key-file <file>", "the fleet's credential key for a new secrets file")
    .option("--replace", "give an existing console user a new password")
    .option(
      "--restart",
      "a running station that needs it (a new id, a console it left off) restarts through its commands",
    )
    .addOption(jsonOption())
    .action(async (opts) => done(await (await import("../commands/provision.ts")).provision(opts)));
  program
    .command("tail")
    .description("watch stations as the central server would (MQTT)")
    .requiredOption("--broker <url>", "the broker (mqtt://, mqtts://)")
    .option("--station <id...>", "watch these stations (default: every station)")
    .option("--share <group>", "receive events through the shared subscription $share/GROUP/...")
    .option("--client-id <id>", "the session to resume (default waystation-tail-<host>)")
    .option("--clean", "start a fresh session instead")
    .option("--protocol <v>", "MQTT version: 4 or 5", "5")
    .option("--root <prefix>", "the topic root", "waystation/v1")
    .option("--username <u>", "the broker user; the password comes from $MQTT_PASSWORD")
    .option("--ca <file>", "TLS: the CA")
    .option("--cert <file>", "mutual TLS: this client's certificate")
    .option("--key <file>", "mutual TLS: its key")
    .option("--lines", "one line per message (default when stdout is not a terminal)")
    .addOption(jsonOption())
    .option("--count <n>", "exit after N new events")
    .action(async (opts) => done(await (await import("../tail/tail.ts")).runTail(opts)));
  program
    .command("bench")
    .description(
      "run the benchmarks (a quarter of an hour; --quick a few minutes); writes bench/results.json",
    )
    .option("--quick", "smaller sizes and fewer rounds")
    .addOption(jsonOption())
    .action(async (opts) => done(await (await import("../../bench/run.ts")).benchCommand(opts)));
  program
    .command("contract")
    .description("the published MQTT contract")
    .command("asyncapi")
    .description("the AsyncAPI 3 document of the MQTT contract")
    .option("--write", "write docs/asyncapi.yaml")
    .action(async (opts) => done(await (await import("../commands/contract.ts")).contractAsyncapi(opts)));
}
