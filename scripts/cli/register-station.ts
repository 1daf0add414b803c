import type { Command } from "commander";
import { type CliKit, configOption, jsonOption } from "./program.ts";

const socketOption = ["--socket <path>", "the control socket (default: the station file's)"] as const;

/** Commands that run a station or act on the running one through its control socket. */
export function registerStation({ program, raw, passThrough, done }: CliKit): void {
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
    .action(raw(async () => (await station()).demo));

  program
    .command("run")
    .description("run the station described by the station file (the service runs this)")
    .option("--config <file>", "the station file (required)")
    .action(raw(async () => (await station()).run));

  program
    .command("lock")
    .description("drive the lock relay alone to its safe level (the service's ExecStopPost=)")
    .command("safe")
    .description("de-energise the lock relay; reads only the station file's lock settings")
    .option("--config <file>", "the station file (required)")
    .action(
      raw(async () => {
        const { lock } = await import("../commands/lock.ts");
        return (args) => lock(["safe", ...args]);
      }),
    );

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
  ).action(raw(async () => (await remote()).sim));

  onStation(
    program
      .command("door")
      .description("technician actions on the running station's door")
      .argument("<action>", "fire-reset: a technician's reset after a fire alarm (rule: manual-reset)"),
  ).action(raw(async () => (await remote()).door));

  onStation(
    program
      .command("selftest")
      .description(
        "commissioning: pulse the lock, read inputs, sensors and meters, blink and beep each reader; a report kept and sent",
      )
      .option("--attended", "you are at the door: open it when asked, the contact must answer"),
  ).action(raw(async () => (await remote()).selftest));

  program
    .command("doctor")
    .description(
      "check the station file, secrets, hardware, broker, clock, disk and journal; each failure with a fix",
    )
    .addOption(configOption())
    .addOption(jsonOption())
    .option("--troubleshooting", "print docs/troubleshooting.md, generated from the checks")
    .option("--write", "with --troubleshooting: write docs/troubleshooting.md")
    .action(raw(async () => (await import("../commands/doctor.ts")).doctor));

  program
    .command("events")
    .description("the station's local journal, newest last (read-only; the station may be running)")
    .addOption(configOption())
    .option("-n, --limit <n>", "how many events", "50")
    .option("--type <prefix>", "only events whose type starts with this, e.g. access. or door.")
    .option("--since <iso>", "only events at or after this time")
    .addOption(jsonOption())
    .action(async (opts) => {
      const { events } = await import("../commands/events.ts");
      done(await events(opts));
    });

  passThrough(
    program.command("power").description("outlets, the battery cabinet and the safety coordinator"),
    "power outlet outlet=ID action=start|stop|clear | release-battery slot=N | swap | swap-cancel | safety-reset  [--config FILE | --socket PATH]",
    async () => (await import("../commands/power.ts")).power,
  );
  passThrough(
    program
      .command("provision")
      .description("commissioning: the station id, its keys and a console user (no default password)"),
    "provision --config FILE [--station-id ID] [--user NAME] [--role technician|viewer] [--password-stdin] [--credential-key-file FILE] [--replace] [--json]",
    async () => (await import("../commands/provision.ts")).provision,
  );
  passThrough(
    program.command("tail").description("watch stations as the central server would (MQTT)"),
    "tail --broker URL [--station ID]... [--share GROUP] [--client-id ID] [--protocol 4|5] [--lines|--json]",
    async () => (await import("../tail/tail.ts")).runTail,
  );
  passThrough(
    program.command("bench").description("run the benchmarks; writes bench/results.json"),
    "bench [--quick]",
    async () => (await import("../../bench/run.ts")).benchCommand,
  );
  program
    .command("contract")
    .description("the published MQTT contract")
    .command("asyncapi")
    .description("the AsyncAPI 3 document of the MQTT contract")
    .option("--write", "write docs/asyncapi.yaml")
    .action(
      raw(async () => {
        const { contract } = await import("../commands/contract.ts");
        return (args) => contract(["asyncapi", ...args]);
      }),
    );
}
