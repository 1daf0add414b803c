import { Argument, type Command, InvalidArgumentError, Option } from "commander";
import type { ListOptions } from "../commands/central.ts";
import { type CliKit, jsonOption } from "./program.ts";

const central = async () => import("../commands/central.ts");

/** A whole number of at least `min`: anything else is a command line not understood (exit 2). */
export function wholeNumber(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`a whole number${min > 0 ? ` of at least ${min}` : ""}, not "${text}"`);
    return n;
  };
}

function fingerprint(text: string): string {
  if (!/^[0-9a-f]{16}$/.test(text))
    throw new InvalidArgumentError(
      `16 hex digits, as credential-key-rotate status or provision prints it, not "${text}"`,
    );
  return text;
}

/** --key, --kid, --station, --lifetime, --topic-root: what every signing verb takes. */
function signing(cmd: Command, lifetimeS: number): Command {
  return cmd
    .requiredOption("--key <file>", "the Ed25519 private key (central keygen wrote it)")
    .requiredOption("--kid <kid>", "the key's id, as the station file pins it")
    .requiredOption("--station <id>", "the station the message is for (it refuses any other's)")
    .addOption(
      new Option("--lifetime <s>", `seconds until the message expires (default ${lifetimeS})`).argParser(
        wholeNumber(1),
      ),
    )
    .option("--topic-root <prefix>", "the topic root", "waystation/v1");
}

/** --broker, --timeout, --username (the password from $MQTT_PASSWORD, or --password). */
function broker(cmd: Command, required: boolean): Command {
  const b = new Option("--broker <url>", "the broker (mqtt://, mqtts://)");
  return cmd
    .addOption(required ? b.makeOptionMandatory() : b)
    .addOption(
      new Option("--timeout <s>", "seconds to wait for each reply").default(15).argParser(wholeNumber(1)),
    )
    .option("--username <u>", "the broker user")
    .addOption(
      new Option("--password <p>", "the broker password (better: $MQTT_PASSWORD, kept out of ps)").env(
        "MQTT_PASSWORD",
      ),
    );
}

/** The central server's side: keys, signed commands and lists, and sealing a next credential key. */
export function registerCentral({ program, done }: CliKit): void {
  const c = program
    .command("central")
    .description("the central server's side: Ed25519 keys, signed commands and credential lists")
    .addHelpText("after", "\nThe wire format and each step: docs/central-integration.md\n");

  c.command("keygen")
    .description("an Ed25519 key pair for signing commands and lists, and the lines to pin")
    .requiredOption("--kid <kid>", "the key's id (the file names and the pin use it)")
    .option("--out <dir>", "where to write KID.key (0600) and KID.pub", ".")
    .addOption(jsonOption())
    .action(async (opts: { kid: string; out: string; json?: boolean }) =>
      done((await central()).keygen(opts)),
    );

  signing(
    c
      .command("sign")
      .description("sign a command and print the message (publish it to TOPIC-ROOT/STATION/cmd/NAME)")
      .argument("<name>", "the command, e.g. unlock, passage-mode, rebirth")
      .option("--args <json>", "the command's arguments, a JSON object", "{}"),
    300,
  ).action(async (name: string, opts) => done((await central()).sign(name, opts)));

  broker(
    signing(
      c
        .command("send")
        .description("sign a command, send it and wait for the station's reply (exit 1 unless ok)")
        .argument("<name>", "the command, e.g. unlock, passage-mode, rebirth")
        .option("--args <json>", "the command's arguments, a JSON object", "{}"),
      300,
    ),
    true,
  ).action(async (name: string, opts) => done(await (await central()).send(name, opts)));

  broker(
    signing(
      c
        .command("list")
        .description(
          "sign a credential list, full or delta, in chunks: print one message per line, or with --broker send each and wait for its reply",
        )
        .addArgument(new Argument("<type>", "full or delta").choices(["full", "delta"]))
        .addOption(
          new Option("--version <n>", "the list's version").makeOptionMandatory().argParser(wholeNumber(0)),
        )
        .requiredOption("--entries <file.json>", "the entries (a JSON array; hashed, never card numbers)")
        .addOption(
          new Option("--key-fingerprint <fp>", "the credential key the entries are hashed under (16 hex)")
            .makeOptionMandatory()
            .argParser(fingerprint),
        )
        .addOption(new Option("--chunk <n>", "entries per message").default(500).argParser(wholeNumber(1)))
        .addOption(new Option("--base <n>", "delta: the version it applies to").argParser(wholeNumber(0)))
        .option("--previous <file.json>", "delta: the list at --base")
        .option("--remove <file.json>", "delta: the hashes to take out (a JSON array)"),
      900,
    ),
    false,
  ).action(async (type: "full" | "delta", opts: ListOptions, cmd: Command) => {
    if (type === "delta" && (opts.base === undefined || !opts.previous))
      cmd.error("error: central list delta needs --base N and --previous FILE.json (the list at N)", {
        exitCode: 2,
        code: "central.deltaOptions",
      });
    done(await (await central()).list(type, opts));
  });

  c.command("seal-key")
    .description(
      "seal a next credential key to one station's X25519 key: prints the credential-key-rotate begin arguments",
    )
    .requiredOption("--station <id>", "the station's id (the sealed key opens there only)")
    .requiredOption(
      "--station-public-key <base64url>",
      "the station's public key, from credential-key-rotate status (stationPublicKey)",
    )
    .requiredOption("--credential-key <file>", "a file with the next credential key (64 hex digits)")
    .action(async (opts: { station: string; stationPublicKey: string; credentialKey: string }) => {
      const { sealKeyFor } = await import("../central/seal.ts");
      const args = sealKeyFor({
        station: opts.station,
        stationPublicKey: opts.stationPublicKey,
        credentialKeyFile: opts.credentialKey,
      });
      process.stdout.write(`${JSON.stringify(args)}\n`);
      process.stderr.write(
        `next key fingerprint ${args.fingerprint}: send it with waystation central send credential-key-rotate --args "$(cat FILE)" --station ${opts.station} ...\n`,
      );
      done(0);
    });
}
