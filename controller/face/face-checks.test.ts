import { describe, expect, it } from "vitest";
import { StationError } from "../../config/errors.ts";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import type { FaceHealth } from "../../device/face/protocol.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import {
  type FaceCheckDeps,
  FRAME_WAIT_MS,
  faceDoctorChecks,
  faceSelftestSteps,
  LOAD_WAIT_MS,
} from "./face-checks.ts";
import type { FaceServiceStatus } from "./face-supervisor.ts";

const HEALTHY: FaceHealth = { rssMb: 240, templates: 6, people: 3, tensors: 900, frames: 12, unreadable: 0 };
const UP: FaceServiceStatus = { phase: "up", restarts: 0, pid: 4242, loadMs: 7100 };

/** A face subsystem as the checks see it; each test breaks one thing. */
function deps(over: Partial<FaceCheckDeps> = {}): FaceCheckDeps {
  return {
    clock: new ManualClock(),
    camera: () => ({ online: true, frames: 30 }),
    service: () => UP,
    health: async () => HEALTHY,
    analysed: () => ({ count: 5, last: { faces: 1, analyseMs: 150 } }),
    requestFrame: () => {},
    onProgress: () => () => {},
    ...over,
  };
}

async function doctor(d: FaceCheckDeps) {
  const out: Record<string, { ok: boolean; detail: string; hint?: string }> = {};
  for (const c of faceDoctorChecks(d)) out[c.id] = await c.run();
  return out;
}

describe("face doctor checks", () => {
  it("all pass on a healthy face module", async () => {
    const r = await doctor(deps());
    expect(Object.values(r).map((x) => x.ok)).toEqual([true, true, true]);
    expect(r["face.templates"]?.detail).toContain("6 templates of 3 people");
  });

  const rows: { name: string; over: Partial<FaceCheckDeps>; failing: string[]; detail: RegExp }[] = [
    {
      name: "a camera that never answered",
      over: { camera: () => undefined },
      failing: ["face.camera"],
      detail: /not answered/,
    },
    {
      name: "a camera gone offline",
      over: { camera: () => ({ online: false, detail: "rpicam-vid exited 1", frames: 3 }) },
      failing: ["face.camera"],
      detail: /offline: rpicam-vid exited 1/,
    },
    {
      name: "the face process down, in backoff",
      over: {
        service: () => ({ phase: "backoff", restarts: 3, lastError: "exited by SIGKILL", retryInMs: 4000 }),
      },
      failing: ["face.process", "face.templates"],
      detail: /backoff: exited by SIGKILL \(restarts 3, retry in 4 s\)/,
    },
    {
      name: "the face process up but not answering",
      over: {
        health: async () => {
          throw new StationError("FACE_UNAVAILABLE", "face", "no answer");
        },
      },
      failing: ["face.process", "face.templates"],
      detail: /did not answer.*FACE_UNAVAILABLE/,
    },
    {
      name: "template files the key does not open",
      over: { health: async () => ({ ...HEALTHY, unreadable: 2 }) },
      failing: ["face.templates"],
      detail: /2 template file\(s\) cannot be read/,
    },
  ];

  it.each(rows)("$name fails $failing, and only those", async ({ over, failing, detail }) => {
    const r = await doctor(deps(over));
    const failed = Object.entries(r).filter(([, x]) => !x.ok);
    expect(failed.map(([id]) => id)).toEqual(failing);
    expect(r[failing[0] as string]?.detail).toMatch(detail);
    for (const [, x] of failed) expect(x.hint).toBeTruthy();
  });
});

/**
 * The camera -> face process -> verdict path as the selftest sees it, with nobody at the door: a
 * requested frame reaches the face process when the camera works, and comes back analysed (no
 * face in it) when the process works. Each of the two can be broken.
 */
function pipeline(o: { camera: boolean; service: boolean; clock: ManualClock }) {
  let frames = 30;
  let analysed = 5;
  let last: { faces: number; analyseMs: number } | undefined;
  let requested = 0;
  let phase: FaceServiceStatus["phase"] = "up";
  const progress = new Listeners<void>();
  const d = deps({
    clock: o.clock,
    onProgress: (l) => progress.add(l),
    service: () => ({ ...UP, phase }),
    camera: () => ({ online: true, frames }),
    analysed: () => ({ count: analysed, last }),
    requestFrame: () => {
      requested++;
      if (!o.camera) return;
      frames++;
      if (!o.service) return;
      o.clock.setTimeout(() => {
        analysed++;
        last = { faces: 0, analyseMs: 38 };
        progress.emit();
      }, 300);
    },
  });
  const setPhase = (p: FaceServiceStatus["phase"]) => {
    phase = p;
    progress.emit();
  };
  return { d, requested: () => requested, setPhase };
}

describe("face selftest", () => {
  const step = (d: FaceCheckDeps) => {
    const s = faceSelftestSteps(d)[0];
    if (!s) throw new Error("no step");
    return s;
  };

  it("passes with nobody at the door: it asks the camera for a frame and the face process analyses it", async () => {
    const clock = new ManualClock();
    const p = pipeline({ camera: true, service: true, clock });
    const lines: string[] = [];
    const r = step(p.d).run({ attended: false, progress: (l) => lines.push(l) });
    clock.advance(500);
    expect(await r).toMatchObject({ ok: true, detail: "frame analysed in 38 ms, 0 face(s) seen" });
    expect(p.requested()).toBe(1);
    expect(lines).toEqual(["waiting for a camera frame through the face process"]);
  });

  it("fails when the camera delivers no frame", async () => {
    const clock = new ManualClock();
    const r = step(pipeline({ camera: false, service: true, clock }).d).run({
      attended: false,
      progress: () => {},
    });
    clock.advance(FRAME_WAIT_MS + 200);
    expect(await r).toMatchObject({ ok: false, detail: "the camera delivered no frame in 20 s" });
  });

  it("fails when frames arrive but the face process analyses none", async () => {
    const clock = new ManualClock();
    const r = step(pipeline({ camera: true, service: false, clock }).d).run({
      attended: false,
      progress: () => {},
    });
    clock.advance(FRAME_WAIT_MS + 200);
    expect(await r).toMatchObject({
      ok: false,
      detail: "1 frame(s) from the camera, none analysed by the face process in 20 s",
    });
  });

  it("waits for a face process still loading its models, then checks the frame", async () => {
    const clock = new ManualClock();
    const p = pipeline({ camera: true, service: true, clock });
    p.setPhase("starting");
    const lines: string[] = [];
    const r = step(p.d).run({ attended: false, progress: (l) => lines.push(l) });
    clock.advance(5000);
    expect(p.requested()).toBe(0);
    p.setPhase("up");
    // the step goes on after the wait in a microtask, and only then asks for the frame
    await new Promise((r) => setImmediate(r));
    expect(p.requested()).toBe(1);
    clock.advance(500);
    expect(await r).toMatchObject({ ok: true });
    expect(lines[0]).toBe("the face process is loading its models ...");
  });

  it("fails when the face process does not finish loading in time", async () => {
    const clock = new ManualClock();
    const r = step(deps({ clock, service: () => ({ phase: "starting", restarts: 0 }) })).run({
      attended: false,
      progress: () => {},
    });
    clock.advance(LOAD_WAIT_MS + 200);
    expect(await r).toMatchObject({ ok: false, detail: "face process starting (restarts 0)" });
  });

  it("fails at once, with the cause, while the face process is down", async () => {
    const r = await step(
      deps({ service: () => ({ phase: "backoff", restarts: 1, lastError: "exited (SIGKILL)" }) }),
    ).run({
      attended: false,
      progress: () => {},
    });
    expect(r).toMatchObject({ ok: false, detail: "face process backoff: exited (SIGKILL) (restarts 1)" });
  });
});
