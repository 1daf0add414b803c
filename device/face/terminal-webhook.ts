import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isStationError } from "../../config/errors.ts";
import type { Clock } from "../ports/clock.ts";
import { Listeners } from "../ports/listeners.ts";
import { ReplayCache, type TerminalReport, verifyReport } from "./terminal-report.ts";

export interface WebhookOptions {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  readonly toleranceS: number;
}

const MAX_BODY = 4096;

/**
 * The HTTP endpoint external face terminals post their matches to (POST /face/report).
 * Every refusal is answered (400/401/413) and counted; nothing a terminal sends can crash it.
 */
export class FaceTerminalWebhook {
  private server: Server | undefined;
  private readonly reports = new Listeners<TerminalReport>();
  private readonly refusals = new Listeners<string>();
  private readonly cache = new ReplayCache();
  readonly counts = { accepted: 0, refused: 0 };

  constructor(
    private readonly opts: WebhookOptions,
    private readonly clock: Clock,
  ) {}

  onReport(l: (r: TerminalReport) => void) {
    return this.reports.add(l);
  }

  onRefusal(l: (why: string) => void) {
    return this.refusals.add(l);
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || req.url !== "/face/report") return this.answer(res, 404, "not-found");
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) return this.refuse(res, 413, "too-large");
      chunks.push(c as Buffer);
    }
    const body = Buffer.concat(chunks).toString("utf8");
    const header = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    try {
      const report = verifyReport(
        this.opts.secret,
        { timestamp: header("x-waystation-timestamp"), signature: header("x-waystation-signature") },
        body,
        this.clock.now(),
        this.opts.toleranceS,
        this.cache,
      );
      this.counts.accepted++;
      this.answer(res, 202, "accepted");
      this.reports.emit(report);
    } catch (err) {
      const why = isStationError(err) ? String(err.details.refusal ?? err.code) : "malformed";
      this.refuse(res, why === "malformed" ? 400 : 401, why);
    }
  }

  private refuse(res: ServerResponse, status: number, why: string): void {
    this.counts.refused++;
    this.refusals.emit(why);
    this.answer(res, status, why);
  }

  private answer(res: ServerResponse, status: number, result: string): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ result }));
  }
}
