import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock/manual-clock.ts";
import type { IoBoard, IoBoardStatus } from "../ports/io-board.ts";
import { Listeners } from "../ports/listeners.ts";
import {
  BoardSmokeDetector,
  type BoardSmokeWiring,
  SMOKE_ANALOG_FREQ_MS,
  smokeLevel,
} from "./board-smoke.ts";

describe("what a board reading means (smokeLevel)", () => {
  it.each<{ wiring: BoardSmokeWiring; reading: number | boolean; smoke: boolean }>([
    { wiring: { pin: 8, activeLow: false }, reading: true, smoke: true },
    { wiring: { pin: 8, activeLow: false }, reading: false, smoke: false },
    { wiring: { pin: 8, activeLow: true }, reading: false, smoke: true },
    { wiring: { pin: 8, activeLow: true }, reading: true, smoke: false },
    { wiring: { analog: 1, threshold: 600, activeLow: false }, reading: 600, smoke: true },
    { wiring: { analog: 1, threshold: 600, activeLow: false }, reading: 599, smoke: false },
    { wiring: { analog: 1, threshold: 300, activeLow: true }, reading: 299, smoke: true },
    { wiring: { analog: 1, threshold: 300, activeLow: true }, reading: 300, smoke: false },
  ])(
    "$wiring.pin$wiring.analog activeLow=$wiring.activeLow reading $reading → smoke $smoke",
    ({ wiring, reading, smoke }) => {
      expect(smokeLevel(wiring, reading)).toBe(smoke);
    },
  );
});

class FakeBoard implements IoBoard {
  readonly path = "/dev/fake";
  st: IoBoardStatus = { ready: false, detail: "not started" };
  readonly statuses = new Listeners<IoBoardStatus>();
  readonly analog = new Listeners<number>();
  readonly digital = new Listeners<boolean>();
  modes: [number, string][] = [];
  freq: number | undefined;
  async start() {}
  async stop() {}
  status() {
    return this.st;
  }
  onStatus(l: (s: IoBoardStatus) => void) {
    return this.statuses.add(l);
  }
  pinMode(pin: number, mode: string) {
    this.modes.push([pin, mode]);
  }
  digitalWrite() {}
  onAnalog(_ch: number, l: (v: number) => void, freqMs?: number) {
    this.freq = freqMs;
    return this.analog.add(l);
  }
  onDigital(_pin: number, l: (v: boolean) => void) {
    return this.digital.add(l);
  }
  set(s: IoBoardStatus) {
    this.st = s;
    this.statuses.emit(s);
  }
}

describe("the smoke detector on the I/O board", () => {
  it("a pin: pull-up on, debounced, online only once the ready board has reported it", async () => {
    const clock = new ManualClock();
    const board = new FakeBoard();
    const d = new BoardSmokeDetector(board, { pin: 8, activeLow: false }, 100, clock);
    const edges: boolean[] = [];
    const health: boolean[] = [];
    d.onEdge((e) => edges.push(e.active));
    d.onHealth((h) => {
      if (health.at(-1) !== h.online) health.push(h.online);
    });
    await d.start();
    expect(board.modes).toEqual([[8, "pullup"]]);
    expect(d.health().online).toBe(false);
    board.set({ ready: true });
    expect(d.health().online).toBe(false);
    board.digital.emit(false);
    expect(d.health()).toEqual({ online: true });
    // a bounce shorter than the debounce is nothing
    board.digital.emit(true);
    clock.advance(50);
    board.digital.emit(false);
    clock.advance(200);
    expect(edges).toEqual([]);
    board.digital.emit(true);
    clock.advance(100);
    expect(edges).toEqual([true]);
    expect(d.read()).toBe(true);
    // the board gone: offline, the last level kept; back: must report again
    board.set({ ready: false, detail: "unplugged" });
    expect(d.health()).toEqual({ online: false, detail: "I/O board /dev/fake: unplugged" });
    expect(d.read()).toBe(true);
    board.set({ ready: true });
    expect(d.health().online).toBe(false);
    board.digital.emit(true);
    expect(health).toEqual([false, true, false, true]);
  });

  it("an analog sensor is read fast, against its threshold", async () => {
    const clock = new ManualClock();
    const board = new FakeBoard();
    const d = new BoardSmokeDetector(board, { analog: 1, threshold: 600, activeLow: false }, 0, clock);
    await d.start();
    expect(board.freq).toBe(SMOKE_ANALOG_FREQ_MS);
    board.set({ ready: true });
    board.analog.emit(120);
    expect(d.read()).toBe(false);
    board.analog.emit(700);
    expect(d.read()).toBe(true);
  });
});
