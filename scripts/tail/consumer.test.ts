import { describe, expect, it } from "vitest";
import { missingCount, TailConsumer } from "./consumer.ts";

const TOPIC = "waystation/v1/s1/events";
let n = 0;
function event(seq: number, extra: Record<string, unknown> = {}) {
  n++;
  return {
    id: `0190f2c4-5b7e-7000-8000-${String(n).padStart(12, "0")}`,
    seq,
    bootId: "b",
    ts: "2026-01-01T12:00:00.000Z",
    timeQuality: "unknown",
    stationId: "s1",
    type: "door.closed",
    ...extra,
  };
}
const send = (c: TailConsumer, e: object, topic = TOPIC) =>
  c.handle(topic, JSON.stringify(e)).map((x) => x.kind);

describe("the reference consumer", () => {
  it("passes events in order, drops a duplicate by id", () => {
    const c = new TailConsumer();
    const e1 = event(1);
    expect(send(c, e1)).toEqual(["event"]);
    expect(send(c, event(2))).toEqual(["event"]);
    expect(send(c, { ...e1, replayed: true })).toEqual(["duplicate"]);
    const [v] = c.stations();
    expect(v).toMatchObject({ stationId: "s1", highestSeq: 2, events: 2, duplicates: 1 });
  });

  it("reports a gap, then fills it when the late event arrives", () => {
    const c = new TailConsumer();
    send(c, event(10));
    expect(send(c, event(14))).toEqual(["gap", "event"]);
    expect(c.handle(TOPIC, JSON.stringify(event(16)))[0]).toMatchObject({ kind: "gap", from: 15, to: 15 });
    expect(missingCount(c.stations()[0] ?? ({} as never))).toBe(4);
    expect(send(c, event(12))).toEqual(["gap-filled", "event"]);
    expect(c.stations()[0]?.missing).toEqual([
      { from: 11, to: 11 },
      { from: 13, to: 13 },
      { from: 15, to: 15 },
    ]);
    expect(send(c, event(5))).toEqual(["out-of-order", "event"]);
  });

  it("a journal.dropped event explains the gap it left", () => {
    const c = new TailConsumer();
    send(c, event(1));
    send(c, event(40));
    const dropped = event(41, {
      type: "journal.dropped",
      count: 38,
      fromSeq: 2,
      toSeq: 39,
      droppedTotal: 38,
      reason: "retention",
    });
    expect(send(c, dropped)).toEqual(["gap-explained", "event"]);
    expect(c.stations()[0]?.missing).toEqual([]);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["a missing field", JSON.stringify({ ...event(1), id: undefined }), /id:/],
    ["an unknown event type", JSON.stringify(event(1, { type: "door.exploded" })), /type/],
    [
      "a payload of the wrong type",
      JSON.stringify(event(1, { type: "door.locked", reason: "magic" })),
      /reason/,
    ],
  ])("rejects %s with the path of the problem", (_what, payload, problem) => {
    const c = new TailConsumer();
    const [notice] = c.handle(TOPIC, payload);
    expect(notice?.kind).toBe("invalid");
    expect(notice?.kind === "invalid" && notice.problems.join(" ")).toMatch(problem);
    expect(c.stations()[0]?.invalid).toBe(1);
  });

  it("follows status and ignores topics outside the contract", () => {
    const c = new TailConsumer();
    const status = { online: false, stationId: "s1", bootId: "b", version: "0.1.0", since: "x" };
    expect(send(c, status, "waystation/v1/s1/status")).toEqual(["status"]);
    expect(c.stations()[0]?.online).toBe(false);
    expect(send(c, {}, "waystation/v1/s1/cmd/open")).toEqual([]);
    expect(send(c, {}, "other/s1/events")).toEqual([]);
  });
});
