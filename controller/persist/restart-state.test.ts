import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { createRootLogger } from "../logger.ts";
import { RestartState } from "./restart-state.ts";
import { StationStateFile, stationStateFile } from "./station-state-file.ts";

const make = (dir = mkdtempSync(join(tmpdir(), "ws-restart-state-"))) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = createRootLogger("debug", sink);
  const file = new StationStateFile(stationStateFile(dir));
  return { dir, file, lines, state: new RestartState(file, new ManualClock(), logger) };
};

describe("RestartState", () => {
  it("merges what each owner tracks, quarantines of several subsystems side by side", () => {
    const { state } = make();
    state.load();
    state.track(() => ({ fire: "latched", lockouts: { entry: { untilMs: 5 } } }));
    state.track(() => ({
      quarantines: { "outlet/3": { subsystem: "power", reason: "over-current", since: "t" } },
    }));
    state.track(() => ({ quarantines: { "slot/7": { subsystem: "cabinet", reason: "hot", since: "t" } } }));
    expect(state.current()).toEqual({
      fire: "latched",
      alarms: [],
      lockouts: { entry: { untilMs: 5 } },
      quarantines: {
        "outlet/3": { subsystem: "power", reason: "over-current", since: "t" },
        "slot/7": { subsystem: "cabinet", reason: "hot", since: "t" },
      },
    });
  });

  it("saves after the current turn, once however many changes, and only when the content changed", async () => {
    const { state, file, dir } = make();
    state.load();
    let fire: "off" | "latched" = "off";
    state.track(() => ({ fire }));
    state.changed();
    await Promise.resolve();
    expect(() => statSync(file.file)).toThrow(); // nothing differs from what was loaded: no write
    fire = "latched";
    state.changed();
    state.changed();
    expect(() => statSync(file.file)).toThrow(); // not inside the caller's turn
    await Promise.resolve();
    expect(file.load().state.fire).toBe("latched");
    // and the next run gets it back
    const next = make(dir);
    expect(next.state.load().fire).toBe("latched");
  });

  it("a disk that refuses the write is logged and counted, never thrown at the caller", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-state-"));
    writeFileSync(join(dir, "blocker"), "");
    const { state, lines } = make(join(dir, "blocker"));
    state.load();
    state.track(() => ({ fire: "active" }));
    expect(() => state.saveNow()).not.toThrow();
    expect(state.saveFailures).toBe(1);
    expect(lines.some((l) => l.includes("could not save the station state"))).toBe(true);
  });
});
