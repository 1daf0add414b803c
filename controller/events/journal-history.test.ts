import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { journalSchema } from "../../config/sections/journal.ts";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { SystemClock } from "../../device/clock/system-clock.ts";
import type { StationEvent } from "../contract/events.ts";
import { Journal } from "../journal/journal.ts";
import { EventBus } from "./event-bus.ts";
import { mergeHistory, readJournalHistory } from "./journal-history.ts";

/**
 * The event log's history read from a journal written by the real Journal (its worker, its
 * SQLite file), the way the console and `waystation events` read it while the station runs.
 */
describe("journal history", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-history-"));
  const file = join(dir, "journal.db");
  const clock = new ManualClock(Date.parse("2026-12-01T12:00:00Z"));
  let journal: Journal;
  const written: StationEvent[] = [];

  beforeAll(async () => {
    // the station's own defaults for the journal, in a temp file
    journal = new Journal({ ...journalSchema.parse({}), file }, new SystemClock(), pino({ level: "silent" }));
    await journal.start();
    const bus = new EventBus("st-1", "boot-1", clock, (err) => {
      throw err;
    });
    bus.resumeAfter(journal.lastSeq);
    bus.subscribe((e) => {
      written.push(e);
      journal.append(e);
    });
    for (let i = 0; i < 30; i++) {
      clock.advance(60_000);
      if (i % 3 === 0) bus.emit("door.opened", { unlocked: true });
      else
        bus.emit("access.denied", {
          readerId: i % 2 ? "entry" : "exit",
          credential: "a".repeat(64),
          format: "uid-4",
          reason: "unknown",
        });
    }
    bus.emit("console.login", { user: "night_50%", address: "127.0.0.1" } as never);
    const deadline = Date.now() + 5000;
    while (readJournalHistory(file, { limit: 100 }).length < 31) {
      if (Date.now() > deadline) throw new Error("the journal did not commit");
      await new Promise((r) => setTimeout(r, 10));
    }
  });

  afterAll(async () => {
    await journal.stop();
  });

  const seqs = (es: StationEvent[]) => es.map((e) => e.seq);

  it("reads newest first, limited, with type prefixes, text, since and before", () => {
    expect(seqs(readJournalHistory(file, { limit: 3 }))).toEqual([31, 30, 29]);
    const doors = readJournalHistory(file, { types: ["door."], limit: 100 });
    expect(doors).toHaveLength(10);
    expect(doors.every((e) => e.type === "door.opened")).toBe(true);
    expect(readJournalHistory(file, { types: ["door.", "console."], limit: 100 })).toHaveLength(11);
    expect(readJournalHistory(file, { text: "EXIT", limit: 100 })).toHaveLength(10);
    // LIKE's wildcards in what was typed are literal
    expect(readJournalHistory(file, { text: "_50%", limit: 100 }).map((e) => e.type)).toEqual([
      "console.login",
    ]);
    expect(readJournalHistory(file, { text: "5_%", limit: 100 })).toEqual([]);
    const since = written[24]?.ts ?? "";
    expect(seqs(readJournalHistory(file, { sinceMs: Date.parse(since), limit: 100 }))[6]).toBe(25);
    expect(readJournalHistory(file, { sinceMs: Date.parse(since), limit: 100 })).toHaveLength(7);
    expect(seqs(readJournalHistory(file, { beforeSeq: 5, limit: 100 }))).toEqual([4, 3, 2, 1]);
  });

  it("no journal is no history, not an error", () => {
    expect(readJournalHistory(join(dir, "none.db"), { limit: 10 })).toEqual([]);
  });

  it("merges with this run's events in memory: each seq once, newest first", () => {
    const fromJournal = readJournalHistory(file, { limit: 5 });
    const recent = [...written.slice(-2), { ...written[0], seq: 32 } as StationEvent];
    expect(seqs(mergeHistory(fromJournal, recent, 4))).toEqual([32, 31, 30, 29]);
  });
});
