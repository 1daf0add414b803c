import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { SystemClock } from "../../device/clock/system-clock.ts";
import { EventBus } from "../events/event-bus.ts";
import { Journal, type JournalNotice, type JournalOptions } from "./journal.ts";

/**
 * The journal with its real worker and a real SQLite file in a temp dir: group commit, seq
 * continuity across restarts, retention with a counted drop, corruption set aside, a full disk.
 */
const clock = new SystemClock();
const log = pino({ level: "silent" });
const open: Journal[] = [];

async function startJournal(dir: string, extra: Partial<JournalOptions> = {}) {
  const journal = new Journal(
    {
      file: join(dir, "journal.db"),
      maxEvents: 100_000,
      maxBytes: 64 * 1024 * 1024,
      maxFileBytes: 256 * 1024 * 1024,
      warnRatio: 0.8,
      memoryEvents: 20_000,
      retryMs: 100,
      ...extra,
    },
    clock,
    log,
  );
  const notices: JournalNotice[] = [];
  journal.onNotice((n) => notices.push(n));
  await journal.start();
  const bus = new EventBus("journal-test", "boot", clock, (err) => {
    throw err;
  });
  bus.resumeAfter(journal.lastSeq);
  bus.subscribe((e) => journal.append(e));
  open.push(journal);
  return { journal, bus, notices };
}

async function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterEach(async () => {
  for (const j of open.splice(0)) await j.stop();
});

describe("journal", () => {
  it("commits in groups, hands events out in seq order, and forgets what is acknowledged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    const { journal, bus } = await startJournal(dir);
    for (let i = 0; i < 5000; i++) bus.emit("door.closed", {});
    await until(() => journal.status().durableSeq === 5000, "all durable");
    const rows = await journal.read(0, 10_000);
    expect(rows.seqs).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(JSON.parse(rows.text(41))).toMatchObject({ seq: 42, type: "door.closed" });
    journal.ackUpTo(3000, 3000);
    expect(journal.backlog).toBe(2000);
    expect((await journal.read(0, 10)).seqs[0]).toBe(3001);
    await journal.stop();
    const db = new Database(join(dir, "journal.db"), { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n).toBe(2000);
    db.close();
  });

  it("numbers on after a restart and still has what was not acknowledged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    const first = await startJournal(dir);
    for (let i = 0; i < 10; i++) first.bus.emit("door.closed", {});
    await until(() => first.journal.status().durableSeq === 10, "durable");
    first.journal.ackUpTo(4, 4);
    await first.journal.stop();
    const second = await startJournal(dir);
    expect(second.journal.lastSeq).toBe(10);
    expect(second.bus.emit("door.opened", { unlocked: false }).seq).toBe(11);
    await until(() => second.journal.status().durableSeq === 11, "durable");
    expect((await second.journal.read(0, 100)).seqs).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(await second.journal.integrityCheck()).toBeUndefined();
  });

  it("keepDelivered: delivered events stay as history, are not delivered again after a restart, and are pruned in batches", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    const rows = () => {
      const db = new Database(join(dir, "journal.db"), { readonly: true });
      try {
        return db.prepare("SELECT seq FROM events ORDER BY seq").pluck().all() as number[];
      } finally {
        db.close();
      }
    };
    const first = await startJournal(dir, { keepDelivered: 100 });
    for (let i = 0; i < 5000; i++) first.bus.emit("door.closed", {});
    await until(() => first.journal.status().durableSeq === 5000, "durable");
    first.journal.ackUpTo(3000, 3000);
    await first.journal.stop();
    // 3000 delivered are under the prune threshold (100 + a batch): all rows are still there.
    expect(rows()).toHaveLength(5000);
    const second = await startJournal(dir, { keepDelivered: 100 });
    expect(second.journal.backlog).toBe(2000);
    expect((await second.journal.read(0, 10)).seqs[0]).toBe(3001);
    second.journal.ackUpTo(5000, 2000);
    await second.journal.stop();
    // 5000 delivered: pruned to the newest 100, and nothing is backlog after a restart.
    expect(rows()).toEqual(Array.from({ length: 100 }, (_, i) => 4901 + i));
    const third = await startJournal(dir, { keepDelivered: 100 });
    expect(third.journal.backlog).toBe(0);
    expect(third.journal.status().bytes).toBe(0);
    expect((await third.journal.read(0, 10)).length).toBe(0);
    third.bus.emit("door.closed", {});
    await until(() => third.journal.status().durableSeq === 5001, "numbered on");
    expect((await third.journal.read(0, 10)).seqs).toEqual([5001]);
  });

  it("numbers on after a restart over a fully delivered journal: the last seq outlives its rows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    const first = await startJournal(dir);
    for (let i = 0; i < 10; i++) first.bus.emit("door.closed", {});
    await until(() => first.journal.status().durableSeq === 10, "durable");
    first.journal.ackUpTo(10, 10);
    await first.journal.stop();
    const db = new Database(join(dir, "journal.db"), { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n).toBe(0);
    db.close();
    const second = await startJournal(dir);
    expect(second.journal.lastSeq).toBe(10);
    expect(second.bus.emit("door.opened", { unlocked: false }).seq).toBe(11);
    await second.journal.stop();
    // And again, over the one event delivered in between: numbering never goes back.
    const third = await startJournal(dir);
    expect(third.journal.lastSeq).toBe(11);
  });

  it("drops the oldest beyond the budget, counts them, reports the range, and warns at 80 %", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    const { journal, bus, notices } = await startJournal(dir, { maxEvents: 100 });
    for (let i = 0; i < 85; i++) bus.emit("door.closed", {});
    await until(() => notices.some((n) => n.type === "journal.capacity-warning"), "capacity warning");
    for (let i = 0; i < 65; i++) bus.emit("door.closed", {});
    await until(() => notices.some((n) => n.type === "journal.dropped"), "drop report");
    const dropped = notices.find((n) => n.type === "journal.dropped");
    expect(dropped?.payload).toMatchObject({ fromSeq: 1, reason: "retention" });
    await until(() => journal.droppedTotal >= 50, "dropped counter");
    const rows = await journal.read(0, 1000);
    expect(rows.length).toBeLessThanOrEqual(100);
    expect(rows.seqs[0]).toBe(journal.droppedTotal + 1);
    expect(journal.status()).toMatchObject({ health: "warning", dropped: journal.droppedTotal });
  });

  it("moves a damaged file aside, reports it, and starts a new one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    writeFileSync(join(dir, "journal.db"), Buffer.alloc(8192, 0x5a));
    const { journal, notices, bus } = await startJournal(dir);
    await until(() => notices.some((n) => n.type === "journal.corrupt"), "corrupt notice");
    const corrupt = notices.find((n) => n.type === "journal.corrupt");
    expect(corrupt?.type === "journal.corrupt" && existsSync(corrupt.payload.movedTo)).toBe(true);
    expect(readdirSync(dir).some((f) => f.startsWith("journal.db.corrupt-"))).toBe(true);
    bus.emit("door.closed", {});
    await until(() => journal.status().durableSeq === 1, "durable in the new file");
    expect(journal.status().health).toBe("ok");
  });

  it("opened late over an old backlog, after newer events went out from memory: goes back for the old ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    const first = await startJournal(dir);
    for (let i = 0; i < 5; i++) first.bus.emit("door.closed", {});
    await until(() => first.journal.status().durableSeq === 5, "durable");
    await first.journal.stop();
    open.splice(0);
    // Another process holds the write lock: the journal cannot open, and runs in memory.
    const holder = new Database(join(dir, "journal.db"));
    holder.exec("BEGIN EXCLUSIVE");
    const second = await startJournal(dir);
    expect(second.journal.status().health).toBe("unwritable");
    expect(second.journal.lastSeq).toBe(5);
    let rewound = 0;
    second.journal.onRewind(() => rewound++);
    for (let i = 0; i < 3; i++) second.bus.emit("door.opened", { unlocked: false });
    expect((await second.journal.read(0, 100)).seqs).toEqual([6, 7, 8]);
    second.journal.ackUpTo(8, 3);
    holder.exec("COMMIT");
    holder.close();
    await until(() => second.notices.some((n) => n.type === "journal.writable"), "writable", 10_000);
    await until(() => rewound === 1, "rewind");
    expect((await second.journal.read(0, 100)).seqs).toEqual([1, 2, 3, 4, 5]);
    second.journal.ackUpTo(5, 5);
    await until(() => second.journal.status().bytes === 0, "old backlog removed once acknowledged");
    expect(second.journal.backlog).toBe(0);
  });

  it("a full disk: a clear alarm, events kept in memory and still readable, writes resume once space is freed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-journal-"));
    const { journal, bus, notices } = await startJournal(dir, {
      maxFileBytes: 1024 * 1024,
      maxEvents: 1_000_000,
      maxBytes: 1024 * 1024 * 1024,
    });
    const detail = "x".repeat(2000);
    for (let i = 0; i < 800; i++) bus.emit("reader.offline", { readerId: "r", detail });
    await until(() => notices.some((n) => n.type === "journal.unwritable"), "unwritable alarm");
    const alarm = notices.find((n) => n.type === "journal.unwritable");
    expect(alarm?.payload).toMatchObject({ code: "JOURNAL_DISK_FULL" });
    expect(journal.status().health).toBe("unwritable");
    expect(journal.status().error).toMatch(/no space left/);
    const all = await journal.read(0, 10_000);
    expect(all.seqs).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
    // Delivering frees room in the file: the next retry commits what memory still holds.
    journal.ackUpTo(600, 600);
    await until(() => notices.some((n) => n.type === "journal.writable"), "writable again", 10_000);
    await until(() => journal.status().durableSeq >= 800, "the rest committed");
    expect(journal.status().health).not.toBe("unwritable");
  });
});
