import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "./load.ts";

const valid = `station: { id: st-1 }
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: fail-secure }
mqtt: { url: "mqtt://127.0.0.1:1883" }
`;

/** Fragments an attacker (or a bad editor) puts into a station file. */
const hostile = fc.oneof(
  fc.constantFrom(
    "&a [x, x, x]",
    "*a",
    "*undefined_anchor",
    "<<: *a",
    "!!js/function 'function () { return 1 }'",
    "!!binary aGVsbG8=",
    "!!set { a, b }",
    "!!omap [ a: 1 ]",
    "!<tag:yaml.org,2002:js/undefined> ''",
    "!custom x",
    "__proto__: { polluted: true }",
    "constructor: { prototype: { polluted: true } }",
    "? [complex, key]\n: value",
    "1e400",
    "-0x7fffffffffffffffffff",
    ".nan",
    "%YAML 1.1\n---",
    "--- |\n  literal",
    "\t",
    "\u0000",
    "\ufeff",
    "'unterminated",
    '"\\u0000\\x00"',
    "{",
    "[",
    "}",
    ": :",
    "- - - -",
    "a: b: c",
  ),
  fc.integer({ min: 1, max: 400 }).map((n) => "[".repeat(n) + "]".repeat(n % 2 === 0 ? n : 0)),
  fc.integer({ min: 1, max: 200 }).map((n) => `${"{a: ".repeat(n)}1${"}".repeat(n)}`),
  fc.integer({ min: 2, max: 12 }).map((n) => {
    // aliases of aliases: the billion laughs, at several sizes
    const lines = ["l0: &l0 [x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < n; i++)
      lines.push(
        `l${i}: &l${i} [${Array(8)
          .fill(`*l${i - 1}`)
          .join(", ")}]`,
      );
    return lines.join("\n");
  }),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 100 }),
);

describe("the config loader under hostile YAML", () => {
  it("never throws, always answers ok or issues with a path and a message", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hostile, fc.nat(), fc.boolean()), { minLength: 1, maxLength: 6 }),
        (edits) => {
          // Splice each fragment into the valid file at some point, as a value or as a line.
          let text = valid;
          for (const [fragment, at, asLine] of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + (asLine ? `\n${fragment}\n` : fragment) + text.slice(i);
          }
          const r = parseConfigText(text, "/base");
          if (r.ok) {
            expect(r.config.station.id).toMatch(/^[a-z0-9][a-z0-9_-]{0,63}$/);
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          } else {
            expect(r.issues.length).toBeGreaterThan(0);
            for (const issue of r.issues) {
              expect(typeof issue.path).toBe("string");
              expect(typeof issue.message).toBe("string");
            }
          }
        },
      ),
      { numRuns: 250 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("an alias bomb of any depth is refused quickly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 30 }), fc.integer({ min: 4, max: 16 }), (depth, width) => {
        const lines = [`l0: &l0 [${Array(width).fill("lol").join(", ")}]`];
        for (let i = 1; i < depth; i++)
          lines.push(
            `l${i}: &l${i} [${Array(width)
              .fill(`*l${i - 1}`)
              .join(", ")}]`,
          );
        const started = performance.now();
        const r = parseConfigText(`${valid}${lines.join("\n")}\n`, "/base");
        expect(r.ok).toBe(false);
        if (!r.ok && (depth - 1) * width > 100) expect(r.issues.map((i) => i.path)).toContain("(yaml)");
        expect(performance.now() - started).toBeLessThan(2000);
      }),
      { numRuns: 30 },
    );
  });
});
