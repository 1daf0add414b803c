import type { Command } from "commander";
import { type CliKit, configOption, jsonOption, type Outcome } from "./program.ts";

const config = async () => import("../commands/config.ts");

/** The station file, given as FILE or --config FILE (else $WAYSTATION_CONFIG, else the demo's). */
async function fileOf(positional: string | undefined, opts: { config?: string }): Promise<string> {
  const { stationFileFor } = await config();
  return positional ?? stationFileFor(opts.config);
}

/** Station files, secrets, the published contract, and face enrolment. */
export function registerConfig({ program, done }: CliKit): void {
  const cfg = program.command("config").description("check, show, compare and change station files");
  cfg
    .command("validate")
    .description("check a station file (every problem with its path and a hint), its secrets file and key")
    .argument("[file]", "the station file (or --config FILE)")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (file: string | undefined, opts) =>
      done(await (await config()).validate(await fileOf(file, opts), opts)),
    );
  cfg
    .command("show")
    .description("every setting as the station reads it, defaults filled in")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts) => done((await config()).show(await fileOf(undefined, opts), opts)));
  cfg
    .command("diff")
    .description("what differs from OTHER, or (without OTHER) from the defaults; exit 1 when they differ")
    .argument("[other]", "another station file")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (other: string | undefined, opts) =>
      done((await config()).diff(await fileOf(undefined, opts), other, opts)),
    );
  cfg
    .command("set")
    .description("change one setting, keeping the file's comments; refused unless the result is valid")
    .argument("<path>", "the setting, e.g. door.unlockMs or access.timezone")
    .argument("<value>", "its value: JSON (5000, true, [1,2]) or plain text")
    .addOption(configOption())
    .action(async (path: string, value: string, opts) =>
      done((await config()).set(await fileOf(undefined, opts), path, value)),
    );
  cfg
    .command("schema")
    .description("the JSON Schema of station files")
    .option("--write", "write config/schema.json")
    .action(async (opts) => done((await config()).schema(opts)));

  program
    .command("secrets")
    .description("the station's secrets file")
    .command("init")
    .description("create a secrets file with a fresh credential key (mode 0600); never overwrites")
    .argument("<file>", "where to create it")
    .action(async (file: string) => done((await config()).secretsInit(file)));

  registerCentral(program, done);
  const f = program
    .command("face")
    .description("enrol a face from images (consent recorded); forget a person");
  faceEnrolCommand(f.command("enrol"), done);
  f.command("forget")
    .description("erase the person's face templates and every credential of theirs")
    .argument("<person>")
    .addOption(configOption())
    .action(async (person: string, opts) =>
      done(await (await import("../commands/face.ts")).faceForget(person, opts)),
    );
}

const central = async () => import("../commands/central.ts");

/** The central server's side: Ed25519 keys, signed commands and credential lists (docs/central-integration.md). */
function registerCentral(program: Command, done: (code: Outcome) => void): void {
  const c = program
    .command("central")
    .description("the central server's side: Ed25519 keys, signed commands and credential lists");
  c.command("keygen")
    .description("a key pair: the private key stays on the central server, the public one is pinned")
    .requiredOption("--kid <kid>", "the key's id, as stations pin it")
    .option("--out <dir>", "where to write the key files", ".")
    .action(async (opts) => done(await (await central()).keygen(opts)));
  const signing = (cmd: Command) =>
    cmd
      .requiredOption("--key <file>", "the private key (PEM)")
      .requiredOption("--kid <kid>", "its key id")
      .requiredOption("--station <id>", "the station it is for")
      .option("--lifetime <s>", "seconds the command stays valid", "300")
      .option("--topic-root <root>", "the MQTT topic root", "waystation/v1");
  const sending = (cmd: Command) =>
    cmd
      .option("--timeout <s>", "seconds to wait for each reply", "15")
      .option("--username <u>", "the broker user")
      .option("--password <p>", "the broker password");
  signing(c.command("sign").description("sign one command and print it").argument("<name>"))
    .option("--args <json>", "the command's arguments (a JSON object)", "{}")
    .action(async (name: string, opts) => done(await (await central()).signOrSend("sign", name, opts)));
  sending(
    signing(
      c.command("send").description("sign one command, send it, wait for its reply").argument("<name>"),
    ),
  )
    .option("--args <json>", "the command's arguments (a JSON object)", "{}")
    .requiredOption("--broker <url>", "the broker")
    .action(async (name: string, opts) => done(await (await central()).signOrSend("send", name, opts)));
  sending(
    signing(
      c
        .command("list")
        .description(
          "sign a credential list in chunks; prints the messages, or with --broker sends each chunk and waits for its reply",
        )
        .argument("<type>", "full or delta"),
    ),
  )
    .requiredOption("--version <n>", "the list's version")
    .requiredOption("--entries <file>", "the entries (JSON)")
    .option("--base <n>", "delta: the version it applies to")
    .option("--previous <file>", "delta: the list at --base (JSON)")
    .option("--remove <file>", "delta: credentials to remove (JSON array)")
    .option("--chunk <n>", "entries per message", "500")
    .option("--broker <url>", "send each chunk and wait for its reply")
    .action(async (type: string, opts) => done(await (await central()).sendList(type, opts)));
}

/** `face enrol` (also `enroll face`): the images are read, embedded on this station and not kept. */
export function faceEnrolCommand(cmd: Command, done: (code: Outcome) => void): Command {
  return cmd
    .description("enrol a face from images (JPEG/PNG), embedded on this station and not kept")
    .argument("<person>")
    .argument("<images...>")
    .addOption(configOption())
    .requiredOption("--consent <ref>", "the consent record it is given under")
    .option("--role <role>", "worker (default), technician or admin", "worker")
    .option("--card-plus-face", "the face is the second factor of the person's card, not an entry on its own")
    .action(async (person: string, images: string[], opts) =>
      done(await (await import("../commands/face.ts")).faceEnrol(person, images, opts)),
    );
}
