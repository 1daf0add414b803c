import { Command, Option } from "commander";
import { exitTableText } from "./exit-codes.ts";
import { disableColour } from "./output.ts";

/** What an action resolves to: an exit code, or KEEP_RUNNING (-1) for a station process. */
export type Outcome = number;

/** Where a finished action leaves its exit code (commander's action result is not returned). */
export interface ProgramResult {
  code: Outcome;
}

/**
 * The command line as the user typed it after this command's own name, for the two commands
 * whose words are still their module's own (`tail`, `bench`: passThrough below); every other
 * command's options are commander's.
 */
export function tokensAfter(cmd: Command): string[] {
  const path: Command[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c);
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  // parsed with { from: "user" }: rawArgs is the words after the program name
  const raw = (root as unknown as { rawArgs: string[] }).rawArgs;
  let at = -1;
  for (const c of path) {
    const names = [c.name(), ...c.aliases()];
    at = raw.findIndex((t, i) => i > at && names.includes(t));
    if (at < 0) return cmd.args;
  }
  return raw.slice(at + 1).filter((t) => t !== "--no-color");
}

export type Load = () => Promise<(args: string[]) => Promise<number>>;

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
  /** an action that hands the words after its name to an older parseArgs command */
  raw(load: Load): (...args: unknown[]) => Promise<void>;
  /** a command whose options its module parses itself (declared here for --help) */
  passThrough(cmd: Command, usage: string, load: Load): Command;
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
  const raw =
    (load: Load) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      done(await (await load())(tokensAfter(cmd)));
    };
  const passThrough = (cmd: Command, usage: string, load: Load) =>
    cmd
      .argument("[words...]")
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText("after", `\nUsage:\n  ${usage}\n`)
      .action(raw(load));
  return { program, done, raw, passThrough };
}
