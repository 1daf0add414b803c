import { type ChildProcess, spawn } from "node:child_process";
import type { Clock } from "../ports/clock.ts";
import type { Frame, FrameSource } from "../ports/frame-source.ts";
import { Listeners } from "../ports/listeners.ts";
import { MjpegSplitter } from "./mjpeg.ts";

export interface CameraOptions {
  readonly driver: "rpicam" | "v4l2";
  readonly device: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/**
 * The door camera as one long-running capture process writing Motion-JPEG to stdout.
 *
 * Why a stream and not rpicam-still per frame: rpicam-still starts libcamera, runs the sensor's
 * auto-exposure to convergence and tears it all down for every picture (~0.5-1 s each on a Pi),
 * while a running rpicam-vid keeps exposure settled and hands over a frame every 1/fps s. The
 * camera's own JPEG encoder does the compression, so the station never touches pixels. USB
 * cameras go through ffmpeg's V4L2 input with the same MJPEG output.
 */
export function cameraArgv(o: CameraOptions): [string, string[]] {
  if (o.driver === "rpicam") {
    return [
      "rpicam-vid",
      [
        "-t",
        "0",
        "-n",
        "--codec",
        "mjpeg",
        "--width",
        `${o.width}`,
        "--height",
        `${o.height}`,
        "--framerate",
        `${o.fps}`,
        "-o",
        "-",
      ],
    ];
  }
  return [
    "ffmpeg",
    [
      "-loglevel",
      "error",
      "-f",
      "v4l2",
      "-video_size",
      `${o.width}x${o.height}`,
      "-i",
      o.device,
      "-r",
      `${o.fps}`,
      "-f",
      "mjpeg",
      "-q:v",
      "4",
      "-",
    ],
  ];
}

export class CameraFrameSource implements FrameSource {
  readonly id = "camera";
  private child: ChildProcess | undefined;
  private readonly frames = new Listeners<Frame>();
  private readonly statuses = new Listeners<{ online: boolean; detail?: string }>();
  private stopping = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: CameraOptions,
    private readonly clock: Clock,
  ) {}

  onFrame(l: (f: Frame) => void) {
    return this.frames.add(l);
  }

  onStatus(l: (s: { online: boolean; detail?: string }) => void) {
    return this.statuses.add(l);
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.launch();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retry);
    this.child?.kill("SIGTERM");
    this.child = undefined;
  }

  private launch(): void {
    const [cmd, args] = cameraArgv(this.opts);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let online = false;
    const splitter = new MjpegSplitter((jpeg) => {
      if (!online) {
        online = true;
        this.statuses.emit({ online: true });
      }
      this.frames.emit({ sourceId: this.id, bytes: jpeg, atMs: this.clock.monotonic() });
    });
    child.stdout?.on("data", (d: Buffer) => splitter.push(d));
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString("utf8")).slice(-300);
    });
    const down = (detail: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.statuses.emit({ online: false, detail });
      // a camera unplugged or busy: try again, slowly
      if (!this.stopping) this.retry = setTimeout(() => this.launch(), 5000);
    };
    child.on("error", (err) => down(`${cmd}: ${err.message}`));
    child.on("exit", (code) => down(`${cmd} exited (${code}): ${stderr.trim().split("\n").at(-1) ?? ""}`));
  }
}
