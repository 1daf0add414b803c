import { connect } from "node:net";
import { join } from "node:path";
import { StationError } from "../config/errors.ts";
import { loadConfigFile } from "../config/load.ts";
import { controlSocketPath } from "../config/sections/control.ts";
import {
  ControlProgressSchema,
  type ControlReply,
  ControlReplySchema,
  LineSplitter,
} from "../controller/control/control-protocol.ts";
import { PACKAGE_ROOT } from "./paths.ts";

/**
 * The station file the CLI follows: --config, else $WAYSTATION_CONFIG (the installed command
 * sets /etc/waystation/config.yaml), else the demo's.
 */
export function stationFileFor(config: string | undefined): string {
  return config ?? (process.env.WAYSTATION_CONFIG || join(PACKAGE_ROOT, "config", "demo.yaml"));
}

/** The control socket of the station file (or --socket, which wins). */
export function socketFor(opts: { config?: string | undefined; socket?: string | undefined }): string {
  if (opts.socket) return opts.socket;
  return controlSocketPath(loadConfigFile(stationFileFor(opts.config)));
}

function unreachable(path: string, cause: NodeJS.ErrnoException): StationError {
  if (cause.code === "EACCES" || cause.code === "EPERM") {
    return new StationError(
      "CONTROL_DENIED",
      "control",
      `not allowed to open the station's control socket ${path}`,
      {
        cause,
        hint: "run it as root (sudo waystation ...) or as a member of the service's group (waystation)",
      },
    );
  }
  return new StationError("CONTROL_UNREACHABLE", "control", `no station answers on ${path}`, {
    cause,
    hint: "is the station running (systemctl status waystation, or npm start)? pass the station file it runs with: --config FILE",
  });
}

/**
 * Ask the running station for one command over its control socket; progress lines go to
 * `onProgress` as they arrive. Resolves with the station's reply (which may be an error reply).
 */
export function sendControl(
  path: string,
  name: string,
  args: Record<string, unknown> = {},
  onProgress: (line: string) => void = () => undefined,
): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const lines = new LineSplitter(16 * 1024 * 1024);
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      socket.destroy();
      fn();
    };
    socket.setEncoding("utf8");
    socket.once("connect", () => socket.write(`${JSON.stringify({ name, args })}\n`));
    socket.on("data", (chunk: string) => {
      for (const line of lines.push(chunk)) {
        let msg: unknown;
        try {
          msg = JSON.parse(line);
        } catch {
          msg = undefined;
        }
        const progress = ControlProgressSchema.safeParse(msg);
        if (progress.success) {
          onProgress(progress.data.progress);
          continue;
        }
        const reply = ControlReplySchema.safeParse(msg);
        if (reply.success) finish(() => resolve(reply.data));
        else
          finish(() =>
            reject(
              new StationError(
                "CONTROL_BAD_REPLY",
                "control",
                `the station sent an unreadable reply on ${path}`,
              ),
            ),
          );
      }
    });
    socket.once("error", (err: NodeJS.ErrnoException) => finish(() => reject(unreachable(path, err))));
    socket.once("close", () =>
      finish(() =>
        reject(
          new StationError("CONTROL_BAD_REPLY", "control", `the station closed ${path} without answering`),
        ),
      ),
    );
  });
}
