import { CommanderError } from "commander";
import { isStationError } from "../config/errors.ts";
import { describeSystemError, EXIT, exitCodeForStationError } from "./cli/exit-codes.ts";
import { buildRoot, type ProgramResult } from "./cli/program.ts";
import { registerCentral } from "./cli/register-central.ts";
import { registerConfig } from "./cli/register-config.ts";
import { registerCredentials } from "./cli/register-credentials.ts";
import { registerStation } from "./cli/register-station.ts";

/**
 * The `waystation` command. Commander owns the command tree, `--help` and the refusal of an
 * unknown command or option (exit 2); every error a user can cause is printed as a reason and
 * a hint, never as a stack trace.
 */
async function main(argv: string[]): Promise<number> {
  const result: ProgramResult = { code: EXIT.ok };
  const kit = buildRoot(result);
  registerStation(kit);
  registerConfig(kit);
  registerCredentials(kit);
  registerCentral(kit);
  if (argv.length === 0) {
    kit.program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await kit.program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0
      if (err.code === "commander.unknownCommand") kit.program.outputHelp({ error: true });
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
  return result.code;
}

// `waystation events | head`: a reader that went away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    const system = describeSystemError(err);
    if (isStationError(err)) {
      process.stderr.write(`error: ${err.describe()}\n`);
      process.exitCode = exitCodeForStationError(err);
      // a script that asked for JSON gets the refusal as JSON too (docs/cli.md)
      if (process.argv.includes("--json"))
        process.stdout.write(
          `${JSON.stringify({ ok: false, code: err.code, message: err.message, ...(err.details.hint ? { hint: err.details.hint } : {}) })}\n`,
        );
    } else if (system) {
      process.stderr.write(`error: ${system.message}\n`);
      process.exitCode = system.code;
    } else {
      // a bug: the stack is what a developer needs to fix it
      process.stderr.write(
        `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = EXIT.failed;
    }
  },
);
