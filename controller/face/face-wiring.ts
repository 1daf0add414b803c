import type { Logger } from "pino";
import type { FaceConfig } from "../../config/sections/face.ts";
import { FaceProcess } from "../../device/face/face-process.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { FaceSupervisor } from "./face-supervisor.ts";

/**
 * The supervisor over the real face process. FaceProcess only spawns a child: nothing of tfjs or
 * human is imported into this process (test/face-import-graph.test.ts checks the bundle).
 */
export function buildSupervisor(
  config: FaceConfig,
  templateKey: string,
  templatesDir: string,
  clock: Clock,
  log: Logger,
): FaceSupervisor {
  const s = config.service;
  return new FaceSupervisor(
    () => new FaceProcess(),
    {
      initialMs: s.restartInitialMs,
      maxMs: s.restartMaxMs,
      stableMs: 60_000,
      loadTimeoutMs: s.loadTimeoutMs,
      requestTimeoutMs: s.frameTimeoutMs,
      healthIntervalMs: s.healthIntervalMs,
      templateKey,
      templatesDir,
    },
    clock,
    log,
  );
}
