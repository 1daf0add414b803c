import { describe, expect, it } from "vitest";
import { StationError } from "../../config/errors.ts";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import type { FaceHealth } from "../../device/face/protocol.ts";
import { type FaceCheckDeps, FRAME_WAIT_MS, faceDoctorChecks, faceSelftestSteps } from "./face-checks.ts";
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

describe("face selftest", () => {
  const step = (d: FaceCheckDeps) => {
    const s = faceSelftestSteps(d)[0];
    if (!s) throw new Error("no step");
    return s;
  };

  it("passes once a camera frame has been through the face process", async () => {
    let count = 5;
    const clock = new ManualClock();
    const d = deps({ clock, analysed: () => ({ count, last: { faces: 1, analyseMs: 152 } }) });
    const lines: string[] = [];
    const r = step(d).run({ attended: true, progress: (l) => lines.push(l) });
    clock.advance(500);
    count++;
    clock.advance(200);
    expect(await r).toMatchObject({ ok: true, detail: "frame analysed in 152 ms, 1 face(s) seen" });
    expect(lines).toEqual(["stand in front of the door camera"]);
  });

  it("fails when no frame comes through in time", async () => {
    const clock = new ManualClock();
    const r = step(deps({ clock })).run({ attended: false, progress: () => {} });
    clock.advance(FRAME_WAIT_MS + 200);
    expect(await r).toMatchObject({ ok: false, detail: "no frame was analysed in 20 s" });
  });

  it("fails at once, with the cause, while the face process is down", async () => {
    const r = await step(deps({ service: () => ({ phase: "starting", restarts: 1 }) })).run({
      attended: false,
      progress: () => {},
    });
    expect(r).toMatchObject({ ok: false, detail: "face process starting (restarts 1)" });
  });
});
