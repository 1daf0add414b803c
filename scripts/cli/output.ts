/**
 * What the CLI prints for people: colour only on a terminal (and never with NO_COLOR or
 * --no-color), a progress bar on a terminal and plain lines otherwise (a log, a pipe, a script).
 */
type Stream = NodeJS.WriteStream | { isTTY?: boolean; write(s: string): boolean };

let colourOff = false;

export function disableColour(): void {
  colourOff = true;
}

export function colourOn(stream: Stream = process.stdout): boolean {
  return !colourOff && stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function paint(colour: keyof typeof CODES, text: string, stream: Stream = process.stdout): string {
  return colourOn(stream) ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

export interface Progress {
  /** `done` of `total` items finished; `note` says which */
  tick(done: number, note?: string): void;
  /** a line to be read (an instruction, a result): printed above the bar on a terminal */
  line(text: string): void;
  end(summary: string): void;
}

/**
 * A bar redrawn in place on a terminal; elsewhere a plain line at every tenth of the work (a
 * journal or a script gets a few lines, not one per row).
 */
export function progress(label: string, total: number, stream: Stream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let bar = "";
  return {
    tick(done, note) {
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const width = 24;
        const full = Math.round(frac * width);
        bar = `${label} [${"#".repeat(full)}${".".repeat(width - full)}] ${done}/${total}${note ? ` ${note}` : ""}`;
        stream.write(`\r${bar}\u001b[K`);
        return;
      }
      const tenth = Math.floor(frac * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total}${note ? ` ${note}` : ""}\n`);
      }
    },
    line(text) {
      if (!tty) {
        stream.write(`${text}\n`);
        return;
      }
      // clear the bar, print the line where it was, draw the bar again below it
      stream.write(`\r\u001b[K${text}\n${bar ? `\r${bar}\u001b[K` : ""}`);
    },
    end(summary) {
      stream.write(`${tty ? "\r\u001b[K" : ""}${label}: ${summary}\n`);
    },
  };
}

const STEP = /^\[(\d+)\/(\d+)\] (.*?)(?: \.\.\.)?$/;
const VERDICT = /^\s*(PASS|FAIL|SKIP):/;

/**
 * The running station's selftest progress (lines such as `[2/4] door contact ...`, then indented
 * instructions and a `PASS:`/`FAIL:` line per step). On a terminal the step lines drive a bar and
 * the rest is printed above it; elsewhere every line is passed on as it came.
 */
export function selftestProgress(stream: Stream): { line(text: string): void; end(): void } {
  if (stream.isTTY !== true) return { line: (text) => void stream.write(`${text}\n`), end: () => undefined };
  let bar: Progress | undefined;
  let step = 0;
  let title = "";
  return {
    line(text) {
      const m = STEP.exec(text);
      if (m) {
        step = Number(m[1]);
        title = m[3] ?? "";
        bar ??= progress("selftest", Number(m[2]), stream);
        bar.tick(step - 1, title);
        return;
      }
      if (!bar) {
        stream.write(`${text}\n`);
        return;
      }
      bar.line(text);
      if (VERDICT.test(text)) bar.tick(step, title);
    },
    end() {
      bar?.end(`${step} step(s) run`);
    },
  };
}
