import { describe, expect, it } from "vitest";
import { inWindow, localTime, type TimeWindow } from "./local-time.ts";

const TZ = "Asia/Shanghai"; // UTC+8, no DST
const at = (iso: string) => localTime(Date.parse(iso), TZ);
const ALL: TimeWindow["days"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const none = new Set<string>();

describe("local time and windows", () => {
  it("reads weekday, minutes and date in the station's zone", () => {
    // 2026-03-02 is a Monday; 23:30 UTC on Sunday the 1st is 07:30 Monday in Shanghai.
    expect(at("2026-03-01T23:30:00Z")).toMatchObject({ day: "mon", minutes: 450, date: "2026-03-02" });
    expect(at("2026-03-01T23:30:00Z")).toMatchObject({ previousDay: "sun", previousDate: "2026-03-01" });
  });

  it.each([
    {
      name: "inside a day window",
      w: { days: ALL, from: "08:00", to: "22:00" },
      t: "2026-03-02T02:00:00Z",
      in: true,
    },
    {
      name: "at its start",
      w: { days: ALL, from: "08:00", to: "22:00" },
      t: "2026-03-02T00:00:00Z",
      in: true,
    },
    {
      name: "at its end (exclusive)",
      w: { days: ALL, from: "08:00", to: "22:00" },
      t: "2026-03-02T14:00:00Z",
      in: false,
    },
    {
      name: "on a day not listed",
      w: { days: ["sat", "sun"], from: "08:00", to: "22:00" },
      t: "2026-03-02T02:00:00Z",
      in: false,
    },
    {
      name: "overnight, evening side",
      w: { days: ["mon"], from: "20:00", to: "06:00" },
      t: "2026-03-02T13:00:00Z",
      in: true,
    },
    {
      name: "overnight, morning side belongs to the previous day",
      w: { days: ["mon"], from: "20:00", to: "06:00" },
      t: "2026-03-02T20:00:00Z",
      in: true,
    },
    {
      name: "overnight, not after a listed day",
      w: { days: ["mon"], from: "20:00", to: "06:00" },
      t: "2026-03-01T20:00:00Z",
      in: false,
    },
    { name: "whole day", w: { days: ALL, from: "00:00", to: "24:00" }, t: "2026-03-02T15:59:00Z", in: true },
  ] as { name: string; w: TimeWindow; t: string; in: boolean }[])("$name", ({ w, t, in: expected }) => {
    expect(inWindow(w, at(t), none)).toBe(expected);
  });

  it("on a holiday only windows listing hol apply", () => {
    const holidays = new Set(["2026-03-02"]);
    const weekday: TimeWindow = { days: ["mon"], from: "08:00", to: "22:00" };
    const hol: TimeWindow = { days: ["hol"], from: "10:00", to: "16:00" };
    const t = at("2026-03-02T03:00:00Z"); // 11:00 local
    expect(inWindow(weekday, t, holidays)).toBe(false);
    expect(inWindow(hol, t, holidays)).toBe(true);
    expect(inWindow(hol, t, none)).toBe(false);
  });
});
