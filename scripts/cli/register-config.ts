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
    .argument("<path>", "the setting, e.g. door.unlockMs or station.timezone")
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

  const f = program
    .command("face")
    .description("enrol a face from images (consent recorded); forget a person");
  faceEnrolCommand(f.command("enrol"), done);
  f.command("forget")
    .description("erase the person's face templates and every credential of theirs")
    .argument("<person>")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (person: string, opts) =>
      done(await (await import("../commands/face.ts")).faceForget(person, opts)),
    );
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
    .addOption(jsonOption())
    .action(async (person: string, images: string[], opts) =>
      done(await (await import("../commands/face.ts")).faceEnrol(person, images, opts)),
    );
}
