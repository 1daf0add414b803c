import type { Command } from "commander";
import { type CliKit, configOption, jsonOption } from "./program.ts";
import { faceEnrolCommand } from "./register-config.ts";

const creds = async () => import("../commands/credentials.ts");

/** The options that say how an identifier is written (a UID, an ID serial, Wiegand, a PIN). */
function idOptions(cmd: Command): Command {
  return cmd
    .option("--kind <kind>", "card-uid (default), resident-id, wiegand or keypad")
    .option("--format <name>", "the Wiegand format", "wiegand-26")
    .option("--id-file <file>", "read the identifier from a file (keeps it out of ps and shell history)");
}

function enrolOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--person <id>", "who the credential belongs to")
    .option("--role <role>", "worker (default), technician or admin")
    .option("--valid-from <when>", "a date (a day in the station's time zone) or an ISO 8601 time")
    .option("--valid-until <when>", "a date (valid through that day) or an ISO 8601 time")
    .option("--schedule <name>", "a weekly schedule from access.schedules")
    .option("--second-factor", "the card also needs the person's face or PIN")
    .option("--face", "the same as --second-factor")
    .option("--replace", "replace a card that is already enrolled (otherwise asked, or refused)");
}

const ID = ["[id]", 'the card UID (hex), ID serial, Wiegand FACILITY:CARD or PIN; "-" reads stdin'] as const;

/** Enrolment: credentials in the store, and cards read at the reader. */
export function registerCredentials({ program, done }: CliKit): void {
  const c = program
    .command("credentials")
    .description("enrol, list, block, remove and import cards; never shows a card's number");
  idOptions(
    c
      .command("hash")
      .description("the keyed hash of an identifier, for access.allowList")
      .argument(...ID)
      .option("--secrets <file>", "the secrets file with the credential key (default: the station file's)")
      .addOption(configOption())
      .addOption(jsonOption()),
  ).action(async (id: string | undefined, opts) => done(await (await creds()).hash(id, opts)));
  idOptions(
    enrolOptions(
      c
        .command("add")
        .description("enrol one identifier")
        .argument(...ID),
    )
      .addOption(configOption())
      .addOption(jsonOption()),
  ).action(async (id: string | undefined, opts) => done(await (await creds()).add(id, opts)));
  for (const sub of ["block", "lost", "unblock", "remove"] as const) {
    idOptions(
      c
        .command(sub)
        .description(
          sub === "remove"
            ? "erase one credential"
            : sub === "unblock"
              ? "make a blocked or lost card active again"
              : `mark a card ${sub === "lost" ? "lost" : "blocked"} (refused at the reader, kept on record)`,
        )
        .argument(...ID)
        .addOption(configOption())
        .addOption(jsonOption()),
    ).action(async (id: string | undefined, opts) => done(await (await creds()).setStatus(sub, id, opts)));
  }
  c.command("forget")
    .description("erase every credential of a person")
    .argument("<person>")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (person: string, opts) => done(await (await creds()).forget(person, opts)));
  c.command("count")
    .description("how many credentials the store holds")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts) => done(await (await creds()).count(opts)));
  c.command("list")
    .description("every credential (hashes shortened, never numbers)")
    .option("--person <id>", "only this person's")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts) => done(await (await creds()).list(undefined, opts)));
  idOptions(
    c
      .command("show")
      .description("one identifier's entry; exit 1 when it is not enrolled")
      .argument(...ID)
      .addOption(configOption())
      .addOption(jsonOption()),
  ).action(async (id: string | undefined, opts) => done(await (await creds()).list(id, opts)));
  idOptions(
    c
      .command("import")
      .description(
        "import a CSV: uid,personId,role,validFrom,validUntil,schedule,face (',' or ';'); all rows or none",
      )
      .argument("<file>", "the CSV file (it holds raw card numbers: delete it afterwards)")
      .option("--replace", "replace cards that are already enrolled")
      .addOption(configOption())
      .addOption(jsonOption()),
  ).action(async (file: string, opts) => done(await (await creds()).importCsv(file, opts)));

  const e = program.command("enroll").description("enrol at the station: a card read at the reader, a face");
  enrolOptions(
    e
      .command("card")
      .description(
        "wait for a card at the reader (through the running station, or the reader itself) and enrol it; shows its kind, never its number",
      )
      .option("--reader <id>", "the reader (default: any)")
      .option("--timeout <s>", "how long to wait for the card", "30")
      .addOption(configOption())
      .option("--socket <path>", "the control socket (default: the station file's)")
      .addOption(jsonOption()),
  ).action(async (opts) => done(await (await import("../commands/enroll.ts")).enrollCard(opts)));
  faceEnrolCommand(e.command("face"), done);
}
