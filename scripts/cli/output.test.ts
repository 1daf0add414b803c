import { afterEach, describe, expect, it } from "vitest";
import { paint, progress } from "./output.ts";

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
});
