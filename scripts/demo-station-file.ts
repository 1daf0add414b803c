import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { StationConfig } from "../config/schema.ts";
import { writeFileDurably } from "../controller/persist/durable-file.ts";

/** Where a moved demo describes itself, in its own data directory. */
export function demoStationFile(config: StationConfig): string {
  return join(config.dataDir, "station.yaml");
}

/**
 * A demo moved by --data-dir, --broker-port or --console-port is no longer the station its file
 * describes, so `events`, `credentials`, `doctor` and `selftest` without options would look at
 * the demo's default directory. It writes the station file it really runs (the source file's
 * text, comments kept, with the moved settings as absolute paths and ports) into its data
 * directory, for `--config FILE`. Rewritten at every start (written whole, then renamed: a
 * power cut leaves the old file or the new one).
 */
export function writeDemoStationFile(
  source: string,
  config: StationConfig,
  bound: { broker: { port: number } | undefined; consoleUrl: string | undefined },
): string {
  const broker = bound.broker;
  const doc = parseDocument(readFileSync(source, "utf8"));
  doc.setIn(["dataDir"], config.dataDir);
  doc.setIn(["secretsFile"], config.secretsFile);
  // the embedded broker's port (doctor checks it there), or the broker given with --broker
  if (broker) doc.setIn(["broker", "port"], broker.port);
  else {
    doc.setIn(["broker", "embedded"], false);
    if (config.mqtt.url) doc.setIn(["mqtt", "url"], config.mqtt.url);
  }
  // the ports really bound (0 asked for any free one)
  const consolePort = bound.consoleUrl ? Number(new URL(bound.consoleUrl).port) : config.console.port;
  if (consolePort > 0) doc.setIn(["console", "port"], consolePort);
  const file = demoStationFile(config);
  writeFileDurably(
    file,
    `# written by waystation demo from ${source} at its start: the station it runs now\n${doc.toString()}`,
  );
  return file;
}
