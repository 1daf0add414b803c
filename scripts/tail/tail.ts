import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import mqtt, { type IClientOptions } from "mqtt";
import { StationError } from "../../config/errors.ts";
import { missingCount, type Notice, type StationView, TailConsumer } from "./consumer.ts";

type Mode = "view" | "lines" | "json";

/** The options of `waystation tail` as commander hands them over (scripts/cli/register-station.ts). */
export interface TailOptions {
  broker: string;
  station?: string[];
  share?: string;
  clientId?: string;
  clean?: boolean;
  protocol?: string;
  root?: string;
  username?: string;
  ca?: string;
  cert?: string;
  key?: string;
  lines?: boolean;
  json?: boolean;
  count?: string;
}

export async function runTail(values: TailOptions): Promise<number> {
  if (values.protocol !== undefined && values.protocol !== "4" && values.protocol !== "5")
    throw new StationError("CLI_USAGE", "cli", `--protocol is 4 or 5: "${values.protocol}"`, {
      hint: "waystation tail --help",
    });
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && (!Number.isInteger(count) || count < 1))
    throw new StationError("CLI_USAGE", "cli", `--count is a whole number, 1 or more: "${values.count}"`, {
      hint: "waystation tail --help",
    });
  // mqtt.connect throws on a URL it cannot use (no protocol, an unknown one): a word the user typed
  if (!/^(mqtts?|wss?):\/\/[^\s/]+/.test(values.broker))
    throw new StationError("CLI_USAGE", "cli", `--broker is a broker URL: "${values.broker}"`, {
      hint: "e.g. --broker mqtt://host:1883 or mqtts://host:8883 (ws:// and wss:// too)",
    });
  const protocolVersion = values.protocol === "4" ? 4 : 5;
  const root = values.root ?? "waystation/v1";
  const stations = values.station?.length ? values.station : ["+"];
  const mode: Mode = values.json ? "json" : values.lines || !process.stdout.isTTY ? "lines" : "view";
  const limit = count ?? Number.POSITIVE_INFINITY;
  const filters = stations.flatMap((s) => [
    values.share ? `$share/${values.share}/${root}/${s}/events` : `${root}/${s}/events`,
    `${root}/${s}/status`,
    `${root}/${s}/state`,
    `${root}/${s}/telemetry`,
  ]);

  const options: IClientOptions = {
    clientId: values.clientId ?? `waystation-tail-${hostname()}`,
    clean: values.clean ?? false,
    protocolVersion,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(protocolVersion === 5 && !values.clean
      ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } }
      : {}),
    ...(values.username ? { username: values.username, password: process.env.MQTT_PASSWORD ?? "" } : {}),
    ...(values.ca ? { ca: readFileSync(values.ca) } : {}),
    ...(values.cert ? { cert: readFileSync(values.cert) } : {}),
    ...(values.key ? { key: readFileSync(values.key) } : {}),
  };
  const consumer = new TailConsumer(root);
  const out = new Output(mode, consumer);
  const client = mqtt.connect(values.broker, options);
  let seen = 0;

  client.on("connect", (connack) => {
    out.note({ kind: "connected", broker: values.broker, sessionPresent: connack.sessionPresent });
    // A resumed session still has its subscriptions; a fresh one needs them.
    if (!connack.sessionPresent) {
      client.subscribe(filters, { qos: 1 }, (err) => {
        if (err) out.note({ kind: "error", message: `subscribe failed: ${err.message}` });
        else out.note({ kind: "subscribed", filters });
      });
    }
  });
  client.on("error", (err) => out.note({ kind: "error", message: err.message }));
  client.on("offline", () => out.note({ kind: "offline", broker: values.broker }));
  client.on("message", (topic, payload) => {
    for (const n of consumer.handle(topic, payload)) {
      out.notice(n);
      if (n.kind === "event" && ++seen >= limit) void finish();
    }
  });

  let finishing = false;
  const finish = async () => {
    if (finishing) return;
    finishing = true;
    await client.endAsync().catch(() => undefined);
    out.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void finish());
  process.on("SIGTERM", () => void finish());
  if (mode === "view") out.startView();
  return -1;
}

/** Renders notices as a live view, human lines, or JSON lines. */
class Output {
  private readonly recent: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mode: Mode,
    private readonly consumer: TailConsumer,
  ) {}

  note(info: Record<string, unknown>): void {
    if (this.mode === "json") {
      this.write(JSON.stringify(info));
      return;
    }
    const text: Record<string, string> = {
      connected: `connected to ${info.broker} (${info.sessionPresent ? "session resumed" : "new session"})`,
      subscribed: `subscribed to ${(info.filters as string[] | undefined)?.join(", ")}`,
      offline: `lost ${info.broker}; reconnecting`,
      error: `error: ${info.message}`,
    };
    this.line(`# ${text[String(info.kind)] ?? JSON.stringify(info)}`);
  }

  notice(n: Notice): void {
    if (this.mode === "json") {
      const { event, ...rest } = n as Notice & { event?: unknown };
      this.write(JSON.stringify(n.kind === "event" ? { ...rest, event } : rest));
      return;
    }
    const text = describe(n);
    if (text) this.line(text);
  }

  startView(): void {
    this.timer = setInterval(() => this.render(), 500);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.mode === "view") this.render();
  }

  private line(text: string): void {
    if (this.mode === "lines") this.write(text);
    else {
      this.recent.push(text);
      if (this.recent.length > 12) this.recent.shift();
    }
  }

  private write(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  private render(): void {
    const head = [
      "station",
      "online",
      "seq",
      "events",
      "dups",
      "missing",
      "replayed",
      "invalid",
      "backlog",
      "dropped",
      "journal",
      "door",
      "last event",
    ];
    const rows = this.consumer.stations().map((v) => row(v));
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
    const screen = [
      `waystation tail — ${new Date().toLocaleTimeString()}  (Ctrl-C to leave; the session is kept)`,
      "",
      fmt(head),
      ...rows.map(fmt),
      "",
      ...this.recent,
    ];
    process.stdout.write(`\x1b[H\x1b[2J${screen.join("\n")}\n`);
  }
}

function row(v: StationView): string[] {
  return [
    v.stationId,
    v.online === undefined ? "?" : v.online ? "yes" : "NO",
    String(v.highestSeq),
    String(v.events),
    String(v.duplicates),
    String(missingCount(v)),
    String(v.replayed),
    String(v.invalid),
    v.journal ? String(v.journal.backlog) : "?",
    v.journal ? String(v.journal.dropped) : "?",
    v.journal?.health ?? "?",
    v.door ?? "?",
    v.lastType ?? "",
  ];
}

function describe(n: Notice): string | undefined {
  const t = new Date().toLocaleTimeString();
  switch (n.kind) {
    case "event": {
      const { id, seq, bootId, ts, timeQuality, stationId, type, replayed, ...rest } = n.event;
      const detail = Object.entries(rest)
        .map(
          ([k, v]) =>
            `${k}=${k === "credential" ? `${String(v).slice(0, 12)}…` : typeof v === "object" ? JSON.stringify(v) : String(v)}`,
        )
        .join(" ");
      return `${t} ${n.station} #${n.seq} ${n.type}${detail ? ` ${detail}` : ""}${n.replayed ? " [replayed]" : ""}`;
    }
    case "duplicate":
      return `${t} ${n.station} #${n.seq} duplicate (same id ${n.id.slice(0, 8)}…): dropped`;
    case "gap":
      return `${t} ${n.station} GAP: seq ${n.from}${n.to > n.from ? `..${n.to}` : ""} missing`;
    case "gap-filled":
      return `${t} ${n.station} #${n.seq} arrived late: gap filled`;
    case "gap-explained":
      return `${t} ${n.station} seq ${n.from}..${n.to} were dropped by the station (${n.reason})`;
    case "out-of-order":
      return `${t} ${n.station} #${n.seq} arrived after #${n.highest} with a new id: out of order or seq reused`;
    case "invalid":
      return `${t} INVALID on ${n.topic}: ${n.problems.join("; ")}`;
    case "status":
      return `${t} ${n.station} ${n.online ? "online" : "OFFLINE"} (boot ${n.bootId.slice(0, 8)}…)`;
    case "telemetry":
      return n.reason === "change"
        ? `${t} ${n.station} telemetry: backlog ${n.backlog}, dropped ${n.dropped}`
        : undefined;
    case "state":
      return undefined;
  }
}
