import { afterEach, describe, expect, it } from "vitest";
import { paint, progress, selftestProgress } from "./output.ts";

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { isTTY, out, write: (s: string) => out.push(s) > 0 };
}

describe("CLI output", () => {
  const saved = process.env.NO_COLOR;
  afterEach(() => {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  });

  it("colours only on a terminal, and never with NO_COLOR", () => {
    delete process.env.NO_COLOR;
    expect(paint("red", "FAIL", stream(true))).toBe("\u001b[31mFAIL\u001b[0m");
    expect(paint("red", "FAIL", stream(false))).toBe("FAIL");
    process.env.NO_COLOR = "1";
    expect(paint("red", "FAIL", stream(true))).toBe("FAIL");
  });

  it("a bar redrawn in place on a terminal; a few plain lines elsewhere", () => {
    const tty = stream(true);
    const bar = progress("importing", 1000, tty);
    for (let i = 1; i <= 1000; i++) bar.tick(i);
    bar.end("1000 rows");
    expect(tty.out.every((l) => l.startsWith("\r"))).toBe(true);
    expect(tty.out.at(-2)).toContain("[########################] 1000/1000");
    const pipe = stream(false);
    const lines = progress("importing", 1000, pipe);
    for (let i = 1; i <= 1000; i++) lines.tick(i);
    lines.end("1000 rows");
    expect(pipe.out.length).toBe(12); // 0 %, each tenth up to 100 %, and the summary
    expect(pipe.out.join("")).not.toContain("\r");
    expect(pipe.out.at(-1)).toBe("importing: 1000 rows\n");
  });

  it("a line to be read goes above the bar on a terminal, and the bar is drawn again", () => {
    const tty = stream(true);
    const bar = progress("applying", 4, tty);
    bar.tick(1, "chunks");
    bar.line("a warning");
    expect(tty.out.at(-1)).toBe(
      "\r\u001b[Ka warning\n\rapplying [######..................] 1/4 chunks\u001b[K",
    );
    const pipe = stream(false);
    progress("applying", 4, pipe).line("a warning");
    expect(pipe.out).toEqual(["a warning\n"]);
  });

  const SELFTEST = [
    "[1/2] input levels ...",
    "      PASS: door contact: closed",
    "[2/2] lock pulse and door contact answer ...",
    "      open the door now",
    "      FAIL: the door contact did not change",
  ];

  it("selftest on a terminal: the step lines drive a bar, instructions and verdicts print above it", () => {
    const tty = stream(true);
    const shown = selftestProgress(tty);
    for (const l of SELFTEST) shown.line(l);
    shown.end();
    const text = tty.out.join("");
    // no step line printed as such: they are the bar's
    expect(text).not.toContain("[1/2]");
    expect(text).toContain("selftest [........................] 0/2 input levels");
    expect(text).toContain("\u001b[K      open the door now\n");
    expect(text).toContain("[########################] 2/2 lock pulse and door contact answer");
    expect(tty.out.at(-1)).toBe("\r\u001b[Kselftest: 2 step(s) run\n");
  });

  it("selftest elsewhere: every line as it came, no bar", () => {
    const pipe = stream(false);
    const shown = selftestProgress(pipe);
    for (const l of SELFTEST) shown.line(l);
    shown.end();
    expect(pipe.out).toEqual(SELFTEST.map((l) => `${l}\n`));
  });
});
