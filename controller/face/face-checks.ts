import type { FaceHealth } from "../../device/face/protocol.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { until } from "../../device/ports/wait-for.ts";
import type { CheckResult, DoctorCheck, SelftestStep } from "../subsystem.ts";
import type { FaceServiceStatus } from "./face-supervisor.ts";

/** What the checks read of the face subsystem: no face data, only health and counters. */
export interface FaceCheckDeps {
  readonly clock: Clock;
  /** the camera's last reported status; undefined while it has said nothing */
  camera(): { online: boolean; detail?: string | undefined; frames: number } | undefined;
  service(): FaceServiceStatus | undefined;
  /** a fresh health answer from the face process (rejects when it is down or does not answer) */
  health(timeoutMs: number): Promise<FaceHealth>;
  /** frames analysed so far, and the last verdict's face count and time (scores only) */
  analysed(): { count: number; last?: { faces: number; analyseMs: number } | undefined };
  /** ask the camera for a frame of whatever is in front of it (FrameSource.requestFrame) */
  requestFrame(): void;
  /** called after each verdict and each change of the face process's status */
  onProgress(listener: () => void): () => void;
}

/** How long doctor waits for the face process's health answer. */
export const HEALTH_WAIT_MS = 5000;
/** How long the selftest waits for a frame to go camera -> face process -> verdict. */
export const FRAME_WAIT_MS = 20_000;
/** How long the selftest waits for a face process still loading its models (within the step's 90 s). */
export const LOAD_WAIT_MS = 60_000;

const fail = (detail: string, hint: string): CheckResult => ({ ok: false, detail, hint });

/** Each way a face check fails and its fix (docs/troubleshooting.md is generated from these). */
const CAUSES = {
  noCamera: {
    cause: "the camera has not answered since start",
    hint: "is it plugged in? `rpicam-hello --list-cameras` or `v4l2-ctl --list-devices`",
  },
  cameraOffline: {
    cause: "the camera went offline",
    hint: "check the ribbon or USB cable and face.camera in the station file",
  },
  notStarted: {
    cause: "the face module did not start (no template key?)",
    hint: "run `waystation doctor` for the secrets file",
  },
  processDown: {
    cause: "the face process is down, starting or failed to load its models",
    hint: "journalctl -u waystation for the face process's last words; docs/face.md, 'Its own process'",
  },
  hung: {
    cause: "the face process did not answer its health request",
    hint: "it is hung or overloaded; the supervisor restarts it after face.service.frameTimeoutMs",
  },
  unreadable: {
    cause: "template files cannot be read (another station's key, or damaged)",
    hint: "faceTemplateKey in the secrets file must be the one they were written with; re-enrol the people concerned",
  },
} as const;

function down(s: FaceServiceStatus | undefined): CheckResult {
  if (!s) return fail(CAUSES.notStarted.cause, CAUSES.notStarted.hint);
  return fail(
    `face process ${s.phase}${s.lastError ? `: ${s.lastError}` : ""} (restarts ${s.restarts}${s.retryInMs ? `, retry in ${Math.round(s.retryInMs / 1000)} s` : ""})`,
    CAUSES.processDown.hint,
  );
}

export function faceDoctorChecks(d: FaceCheckDeps): DoctorCheck[] {
  return [
    {
      id: "face.camera",
      title: "door camera answers",
      causes: [CAUSES.noCamera, CAUSES.cameraOffline],
      run: async () => {
        const c = d.camera();
        if (!c) return fail(CAUSES.noCamera.cause, CAUSES.noCamera.hint);
        if (!c.online)
          return fail(`camera offline${c.detail ? `: ${c.detail}` : ""}`, CAUSES.cameraOffline.hint);
        return { ok: true, detail: `online, ${c.frames} frames since start` };
      },
    },
    {
      id: "face.process",
      title: "face process alive, models loaded",
      causes: [CAUSES.notStarted, CAUSES.processDown, CAUSES.hung],
      run: async () => {
        const s = d.service();
        if (s?.phase !== "up") return down(s);
        try {
          const h = await d.health(HEALTH_WAIT_MS);
          return {
            ok: true,
            detail: `up (pid ${s.pid ?? "?"}, models loaded in ${Math.round(s.loadMs ?? 0)} ms, ${h.rssMb} MB, ${h.tensors} tensors, ${h.frames} frames)`,
          };
        } catch (err) {
          return fail(
            `${CAUSES.hung.cause} (${(err as { code?: string }).code ?? "error"})`,
            CAUSES.hung.hint,
          );
        }
      },
    },
    {
      id: "face.templates",
      title: "face template store readable",
      causes: [CAUSES.processDown, CAUSES.unreadable],
      run: async () => {
        const s = d.service();
        if (s?.phase !== "up") return { ...down(s), detail: `cannot read the templates: ${down(s).detail}` };
        let h: FaceHealth;
        try {
          h = await d.health(HEALTH_WAIT_MS);
        } catch {
          return fail("the face process did not answer", "see face.process");
        }
        if ((h.unreadable ?? 0) > 0)
          return fail(
            `${h.unreadable} template file(s) cannot be read (another station's key, or damaged); ${h.people} people readable`,
            CAUSES.unreadable.hint,
          );
        return { ok: true, detail: `${h.templates} templates of ${h.people} people, all readable` };
      },
    },
  ];
}

/**
 * `face.frame`: the camera delivers a frame and the face process analyses it. It asks for a frame
 * of whatever is in front of the camera, so it needs nobody at the door: a verdict with no face
 * passes, since what is checked is the path camera -> face process -> verdict, not a person.
 */
export function faceSelftestSteps(d: FaceCheckDeps): SelftestStep[] {
  const within = (ms: number, holds: () => boolean) => until(d.onProgress, d.clock, ms, holds);
  return [
    {
      id: "face.frame",
      title: "a camera frame through the face process",
      run: async (ctx) => {
        if (d.service()?.phase === "starting") {
          ctx.progress("the face process is loading its models ...");
          await within(LOAD_WAIT_MS, () => d.service()?.phase !== "starting");
        }
        const s = d.service();
        if (s?.phase !== "up") return down(s);
        const analysedBefore = d.analysed().count;
        const framesBefore = d.camera()?.frames ?? 0;
        ctx.progress("waiting for a camera frame through the face process");
        d.requestFrame();
        const got = await within(FRAME_WAIT_MS, () => d.analysed().count > analysedBefore);
        const last = d.analysed().last;
        if (got && last)
          return {
            ok: true,
            detail: `frame analysed in ${Math.round(last.analyseMs)} ms, ${last.faces} face(s) seen`,
          };
        const frames = (d.camera()?.frames ?? 0) - framesBefore;
        if (frames === 0)
          return fail(
            `the camera delivered no frame in ${FRAME_WAIT_MS / 1000} s`,
            "see face.camera: cable, driver, face.camera in the station file",
          );
        return fail(
          `${frames} frame(s) from the camera, none analysed by the face process in ${FRAME_WAIT_MS / 1000} s`,
          "the face process rejects the frames or is too slow: journalctl -u waystation, state.face.frames",
        );
      },
    },
  ];
}
