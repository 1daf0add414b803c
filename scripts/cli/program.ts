import { Command, Option } from "commander";
import { exitTableText } from "./exit-codes.ts";
import { disableColour } from "./output.ts";

/** What an action resolves to: an exit code, or KEEP_RUNNING (-1) for a station process. */
export type Outcome = number;

/** Where a finished action leaves its exit code (commander's action result is not returned). */
export interface ProgramResult {
  code: Outcome;
}

const STATION_FILE = "the station file (default: $WAYSTATION_CONFIG, else the demo's)";

export function configOption(): Option {
  return new Option("-c, --config <file>", STATION_FILE);
}

export function jsonOption(): Option {
  return new Option("--json", "print JSON for scripts instead of text");
}

export interface CliKit {
  readonly program: Command;
  /** record an action's exit code */
  done(code: Outcome): void;
}

/**
 * Build the `waystation` program. Every command module is imported only when its command runs:
 * a station process must not carry the demo's broker or the benchmarks, and `lock safe` (the
 * service's ExecStopPost=) loads nothing but the lock's own code and commander.
 */
export function buildRoot(result: ProgramResult): CliKit {
  const program = new Command("waystation");
  program
    .description("Waystation: the rest station's controller, simulator and technician tools")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .exitOverride()
    .configureOutput({
      outputError: (text, write) =>
        write(`${text}  hint: waystation --help (or waystation COMMAND --help)\n`),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      `\nExit codes (every command):\n${exitTableText()}\n\nCommands that act on the running station reach it through its control socket (root or the\nwaystation group), found from the station file: --config FILE, or --socket PATH.\n`,
    )
    .hook("preAction", (root) => {
      if (root.opts().color === false) disableColour();
    });

  const done = (code: Outcome) => {
    result.code = code;
  };
  return { program, done };
}
