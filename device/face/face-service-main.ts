// The face process: started by the station (or the enrolment CLI) with an IPC channel. Everything
// tfjs needs lives here and only here; the station's own process never loads it.
import { performance } from "node:perf_hooks";
import { isStationError } from "../../config/errors.ts";
import { FaceEngine } from "./face-engine.ts";
import { errorReply, FaceService } from "./face-service.ts";
import { type FaceReply, parseFaceRequest } from "./protocol.ts";

function send(msg: FaceReply): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  if (!process.send) {
    process.stderr.write("the face service is started by the station, with an IPC channel\n");
    process.exit(2);
  }
  const t0 = performance.now();
  const engine = new FaceEngine(process.env.WAYSTATION_FACE_MODELS || undefined);
  let backend: string;
  try {
    ({ backend } = await engine.load());
  } catch (err) {
    send({
      kind: "fatal",
      code: isStationError(err) ? err.code : "FACE_ENGINE",
      message: err instanceof Error ? err.message : String(err),
    });
    process.exit(3);
  }
  const service = new FaceService(engine);
  // one request at a time, in order: the engine is single-threaded anyway
  let chain = Promise.resolve();
  process.on("message", (raw) => {
    chain = chain.then(async () => {
      let id = -1;
      try {
        const req = parseFaceRequest(raw);
        id = req.id;
        const result = await service.handle(req);
        send({ kind: "reply", id, ok: true, result });
      } catch (err) {
        send(errorReply(id, err));
      }
    });
  });
  // the station went away: nothing to serve
  process.on("disconnect", () => process.exit(0));
  send({ kind: "ready", loadMs: performance.now() - t0, backend });
}

void main();
