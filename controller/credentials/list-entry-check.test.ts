import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ListEntrySchema } from "../contract/command-wire.ts";
import { checkedEntry } from "./list-entry-check.ts";

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
/** Mostly near-valid entries, each field now and then off: where a hand check goes wrong. */
const field = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
const anything = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const entryish = fc.record(
  {
    credential: field(
      hex64,
      fc.oneof(
        anything,
        hex64.map((h) => h.toUpperCase()),
        hex64.map((h) => `${h}0`),
      ),
    ),
    personId: field(
      fc.string({ minLength: 1, maxLength: 128 }),
      fc.oneof(anything, fc.constant(""), fc.string({ minLength: 129, maxLength: 130 })),
    ),
    role: field(fc.constantFrom("worker", "technician", "admin"), anything),
    status: field(fc.constantFrom("active", "blocked", "lost"), anything),
    validFrom: field(fc.nat(), fc.oneof(anything, fc.constant(-1), fc.constant(1.5))),
    validUntil: field(fc.nat(), fc.oneof(anything, fc.constant(2 ** 60))),
    schedule: field(fc.string({ minLength: 1, maxLength: 64 }), fc.oneof(anything, fc.constant(""))),
    secondFactor: field(fc.boolean(), anything),
    extra: anything,
  },
  { requiredKeys: [] },
);

describe("the apply's hand check of a staged entry", () => {
  it("gives zod's verdict and zod's output for any entry", () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: entryish }, { weight: 1, arbitrary: anything }), (raw) => {
        const z = ListEntrySchema.safeParse(raw);
        let mine: unknown;
        let threw = false;
        try {
          mine = checkedEntry(raw, 0);
        } catch (err) {
          threw = true;
          expect((err as { code?: string }).code).toBe("LIST_INVALID");
        }
        expect(threw).toBe(!z.success);
        if (z.success) expect(mine).toEqual(z.data);
      }),
      { numRuns: 3000 },
    );
  });
});
