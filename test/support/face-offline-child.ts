// Run inside `unshare --net` (no interface but a downed loopback): proves the network is gone,
// then loads the face models and analyses one sample face. Prints one JSON line.
import { FaceEngine } from "../../device/face/face-engine.ts";
import { SAMPLE_FACES, sampleFaceImage } from "../../simulator/face/sample-faces.ts";

let network = "reachable";
try {
  await fetch("http://93.184.216.34/", { signal: AbortSignal.timeout(3000) });
} catch (err) {
  network = `unreachable (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name})`;
}
const engine = new FaceEngine();
const t0 = performance.now();
const { backend } = await engine.load();
const a = await engine.analyse(sampleFaceImage(SAMPLE_FACES["man.probe"]));
process.stdout.write(
  `${JSON.stringify({ network, backend, loadMs: performance.now() - t0, faces: a?.faces ?? 0, dim: a?.embedding.length ?? 0 })}\n`,
);
