import { describe, expect, it } from "vitest";
import { detectSeparator, parseCsv, splitLine } from "./csv.ts";
import { flag, time } from "./fields.ts";
import { rawIdentifier } from "./identifiers.ts";

const ctx = {
  hashOf: (id: string) => `h:${id.toUpperCase()}`,
  timeZone: "Asia/Shanghai",
  schedules: { "night-shift": [] },
};
const refusal = (text: string) => {
  try {
    parseCsv(text, ctx);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("not refused");
};

describe("CSV import", () => {
  it("detects ';' and tab separators, and keeps quoted separators inside a field", () => {
    expect(detectSeparator("uid;personId;role")).toBe(";");
    expect(detectSeparator("uid\tpersonId")).toBe("\t");
    expect(detectSeparator("uid,personId")).toBe(",");
    expect(splitLine('04A1B2C3;"Wang; Li";worker', ";")).toEqual(["04A1B2C3", "Wang; Li", "worker"]);
    const rows = parseCsv("uid;personId;role\n04000001;w1;worker\n04000002;t1;technician\n", ctx);
    expect(rows.map((r) => [r.credential, r.personId, r.role])).toEqual([
      ["h:04000001", "w1", "worker"],
      ["h:04000002", "t1", "technician"],
    ]);
  });

  it("accepts the booleans spreadsheets write, and refuses anything else", () => {
    const rows = parseCsv(
      [
        "04000001,a,,,,,TRUE",
        "04000002,b,,,,,FALSE",
        "04000003,c,,,,,是",
        "04000004,d,,,,,否",
        "04000005,e,,,,,1",
        "04000006,f,,,,,0",
        "04000007,g,,,,,yes",
        "04000008,h,,,,,no",
        "04000009,i,,,,,",
      ].join("\n"),
      ctx,
    );
    expect(rows.map((r) => r.secondFactor)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(refusal("04000001,a,,,,,maybe")).toContain("line 1: face is yes or no");
  });

  it("reads date-only values as days in the station's time zone", () => {
    const [r] = parseCsv("04000001,a,,2026-03-01,2026/12/31\n", ctx);
    // Shanghai is UTC+8: the day starts at 16:00 UTC the day before, and ends at 15:59:59.999
    expect(new Date(r?.validFrom ?? 0).toISOString()).toBe("2026-02-28T16:00:00.000Z");
    expect(new Date(r?.validUntil ?? 0).toISOString()).toBe("2026-12-31T15:59:59.999Z");
    expect(time("2026-07-01", "x", "start", "Europe/Berlin")).toBe(Date.parse("2026-06-30T22:00:00Z"));
    expect(time("2026-01-01T08:00:00Z", "x", "start", "Asia/Shanghai")).toBe(
      Date.parse("2026-01-01T08:00:00Z"),
    );
    expect(refusal("04000001,a,,2026-02-30\n")).toContain('validFrom is not a date: "2026-02-30"');
  });

  it("catches the same card twice in the file, naming both lines but not the number", () => {
    const msg = refusal("uid,personId\n04000001,a\n04000002,b\n04000001,c\n");
    expect(msg).toContain("line 4: the same card as line 2");
    expect(msg).toContain("nothing imported");
    expect(msg).not.toContain("04000001");
  });

  it("refuses an unknown role or schedule, and a UID length no reader produces", () => {
    expect(refusal("04000001,a,boss\n")).toContain('role is one of worker, technician, admin, not "boss"');
    expect(refusal("04000001,a,worker,,,day-shift\n")).toContain('no schedule "day-shift"');
    expect(parseCsv("04000001,a,worker,,,night-shift\n", ctx)[0]?.schedule).toBe("night-shift");
    expect(() => rawIdentifier("card-uid", "04A1B2C3D5", "wiegand-26")).toThrow(
      /5 bytes, which no reader produces/,
    );
    for (const ok of ["04A1B2C3", "04A1B2C3D4E5F6", "04A1B2C3D4E5F60708A9"])
      expect(rawIdentifier("card-uid", ok, "wiegand-26").length).toBe(ok.length / 2);
  });

  it("flag words", () => {
    expect(flag("True", "x")).toBe(true);
    expect(flag(" 否 ", "x")).toBe(false);
  });
});
