import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { parseConfigText } from "../config/load.ts";
import { createSecretsFile } from "../config/secrets.ts";
import { FaceProcess } from "../device/face/face-process.ts";
import { bootStation } from "../scripts/boot.ts";
import { faceStationFile } from "../simulator/face/face-station-file.ts";
import { SAMPLE_FACES, sampleFaceFile } from "../simulator/face/sample-faces.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

/**
 * How much slower a Raspberry Pi runs this WASM SIMD workload than this machine: an estimate, not
 * a measurement (no Pi here). From published single-thread integer/SIMD benchmark ratios of an
 * x86-64 server core against a Cortex-A72 at 1.8 GHz (Pi 4) and a Cortex-A76 at 2.4 GHz (Pi 5).
 */
const PI4_FACTOR = 5;
const PI5_FACTOR = 2.5;

function bareNode(): { ms: number; rssMb: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.memoryUsage().rss))"], {
    encoding: "utf8",
  });
  return { ms: performance.now() - t0, rssMb: Number(r.stdout) / 1e6 };
}

/** face.load, face.pipeline and face.rss: the real face process over the shipped models. */
export async function benchFacePipeline(frames: number): Promise<BenchResult[]> {
  const proc = new FaceProcess();
  const t0 = performance.now();
  const ready = await proc.spawn(180_000);
  const spawnToReady = performance.now() - t0;
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-face-"));
  await proc.init("42".repeat(32), dir, 30_000);
  await proc.request(
    "enrol",
    { personId: "m", consent: "bench", frames: [sampleFaceFile(SAMPLE_FACES["man.enrol"])] },
    60_000,
  );
  const frame = sampleFaceFile(SAMPLE_FACES["man.probe"]);
  const other = sampleFaceFile(SAMPLE_FACES["woman-b.enrol"]);
  const cold = (await proc.request("identify", { frame: other }, 60_000)).analyseMs;
  const warm: number[] = [];
  for (let i = 0; i < frames; i++) warm.push((await proc.request("identify", { frame }, 60_000)).analyseMs);
  warm.sort((a, b) => a - b);
  const health = await proc.request("health", {}, 10_000);
  await proc.stop();
  const bare = bareNode();
  const p50 = percentile(warm, 50);
  return [
    result({
      name: "face.pipeline",
      metric: "ms",
      value: round(p50, 1),
      unit: "ms per frame (warm p50: decode + detect + mesh + embed + anti-spoof + liveness + 1:N)",
      params: {
        frames,
        frame: "213x213 face crop",
        p99_ms: round(percentile(warm, 99), 1),
        pi4_estimate_ms: Math.round(p50 * PI4_FACTOR),
        pi5_estimate_ms: Math.round(p50 * PI5_FACTOR),
        // on a shared machine the per-frame time is mostly waiting for a core: say how shared
        loadavg: round(loadavg()[0] ?? 0, 1),
      },
      baseline: { name: "first frame after load (cold)", value: round(cold, 1) },
    }),
    result({
      name: "face.load",
      metric: "ms",
      value: Math.round(spawnToReady),
      unit: "ms from spawn to models loaded",
      params: { in_process_ms: Math.round(ready.loadMs), backend: ready.backend },
      baseline: { name: "a bare node start and exit", value: Math.round(bare.ms) },
    }),
    result({
      name: "face.rss",
      metric: "rss_mb",
      value: health.rssMb,
      unit: "MB (face process, after the warm frames)",
      params: { tensors: health.tensors },
      baseline: { name: "a bare node process", value: round(bare.rssMb, 1) },
    }),
  ];
}

/**
 * face.to_unlock: a whole simulated station, from the first frame arriving to the lock command:
 * with the motion liveness check (the default: the first frame analysed, then the burst's other
 * frames captured `intervalMs` apart and meshed) and, in a second station, without it (one frame).
 */
export async function benchFaceToUnlock(samples: number): Promise<BenchResult> {
  const withMotion = await toUnlock(samples, true);
  const still = await toUnlock(samples, false);
  return result({
    name: "face.to_unlock",
    metric: "ms",
    value: round(percentile(withMotion.faceMs, 50), 1),
    unit: "ms from the first frame arriving to the lock command (p50), motion liveness on (4 frames, 250 ms apart)",
    params: {
      samples,
      p99_ms: round(percentile(withMotion.faceMs, 99), 1),
      without_motion_p50_ms: round(percentile(still.faceMs, 50), 1),
      path: "IPC to the face process and back",
    },
    baseline: {
      name: "a card tap to the lock command (p50)",
      value: round(percentile(withMotion.cardMs, 50), 3),
    },
  });
}

async function toUnlock(samples: number, motion: boolean): Promise<{ faceMs: number[]; cardMs: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-unlock-"));
  const secretsFile = join(dir, "secrets.yaml");
  const secrets = createSecretsFile(secretsFile);
  const r = parseConfigText(
    faceStationFile({
      stationId: "bench-face",
      dataDir: join(dir, "data"),
      secretsFile,
      brokerUrl: "mqtt://127.0.0.1:1",
      rereadSuppressMs: 0,
      ...(motion ? {} : { faceLines: ["  liveness: { motion: { enabled: false } }"] }),
    }),
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const booted = await bootStation({ config: r.config, logger: pino({ level: "silent" }), secrets });
  try {
    const station = booted.station;
    const deadline = Date.now() + 180_000;
    while (station.state().face?.status !== "up") {
      if (Date.now() > deadline) throw new Error("the face process did not come up");
      await new Promise((res) => setTimeout(res, 50));
    }
    await station.router.runLocal(
      "face-enrol",
      {
        personId: "m",
        consent: "bench",
        images: [Buffer.from(sampleFaceFile(SAMPLE_FACES["man.enrol"])).toString("base64")],
        faceEntry: true,
        role: "worker",
      },
      "cli",
    );
    const card = booted.hasher("card-uid", Buffer.from("04BE0001", "hex"));
    booted.store?.upsert([
      { credential: card, personId: "c", role: "worker", status: "active", secondFactor: false },
    ]);
    const faceMs: number[] = [];
    const cardMs: number[] = [];
    let grantedAt = 0;
    station.bus.subscribe((e) => {
      // access.granted is emitted in the same synchronous call that commands the lock
      if (e.type === "access.granted") grantedAt = performance.now();
    });
    for (let i = 0; i < samples; i++) {
      grantedAt = 0;
      const t0 = performance.now();
      booted.sim?.control.presentFace(motion ? "man.turning" : "man.probe");
      while (grantedAt === 0) await new Promise((res) => setImmediate(res));
      faceMs.push(grantedAt - t0);
      const c0 = performance.now();
      booted.sim?.control.tap("04BE0001");
      cardMs.push(grantedAt - c0);
    }
    faceMs.sort((a, b) => a - b);
    cardMs.sort((a, b) => a - b);
    return { faceMs, cardMs };
  } finally {
    await booted.stop();
  }
}
