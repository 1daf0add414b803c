import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EMPTY_STATION_STATE,
  type PersistedStationState,
  StationStateFile,
  stationStateFile,
} from "./station-state-file.ts";

const STATE: PersistedStationState = {
  fire: "latched",
  alarms: [
    { alarm: "fire", since: "2026-12-01T03:00:00.000Z" },
    { alarm: "lockout", source: "entry", since: "2026-12-01T03:01:00.000Z", detail: "5 refused" },
  ],
  lockouts: { entry: { untilMs: 1_800_000_000_000 } },
  quarantines: {
    "outlet/3": { subsystem: "power", reason: "over-current", since: "2026-12-01T03:02:00.000Z" },
  },
};

const fresh = () => new StationStateFile(stationStateFile(mkdtempSync(join(tmpdir(), "ws-state-"))));

describe("the station state file", () => {
  it("gives back what was saved, and nothing when there is no file", () => {
    const f = fresh();
    expect(f.load()).toEqual({ state: EMPTY_STATION_STATE, problems: [] });
    f.save(STATE, new Date("2026-12-01T03:03:00Z"));
    expect(f.load()).toEqual({ state: STATE, problems: [] });
    // replaced whole, no temporary file left beside it
    f.save({ ...STATE, fire: "off", alarms: [] }, new Date());
    expect(f.load().state.fire).toBe("off");
    expect(readdirSync(join(f.file, ".."))).toEqual(["station-state.json"]);
  });

  it("a file that is not JSON is a typed problem, never a crash", () => {
    const f = fresh();
    f.save(STATE, new Date());
    writeFileSync(f.file, '{"version":1,"fire":"lat');
    const r = f.load();
    expect(r.state).toEqual(EMPTY_STATION_STATE);
    expect(r.problems.map((p) => p.code)).toEqual(["STATE_FILE_INVALID"]);
  });

  it("an entry this version does not know costs that entry only, not the latched fire", () => {
    const f = fresh();
    f.save(STATE, new Date());
    const body = JSON.parse(readFileSync(f.file, "utf8"));
    body.alarms.push({ alarm: "some-future-alarm", since: "x" });
    body.lockouts.wiegand = { untilMs: "soon" };
    writeFileSync(f.file, JSON.stringify(body));
    const r = f.load();
    expect(r.state).toEqual(STATE);
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringContaining("alarms[2]"),
      expect.stringContaining("lockouts.wiegand"),
    ]);
  });

  it("a disk that refuses the write is a typed error", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-state-"));
    writeFileSync(join(dir, "not-a-dir"), "");
    const f = new StationStateFile(join(dir, "not-a-dir", "station-state.json"));
    expect(() => f.save(STATE, new Date())).toThrow(expect.objectContaining({ code: "STATE_FILE_IO" }));
    expect(f.load().problems.map((p) => p.code)).toEqual(["STATE_FILE_IO"]);
  });
});
