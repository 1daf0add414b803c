import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Logger } from "pino";
import { StationError } from "../config/errors.ts";
import { loadConfigFile } from "../config/load.ts";
import { ensurePrivateDir } from "../config/private-files.ts";
import type { StationConfig } from "../config/schema.ts";
import { createSecretsFile, loadSecretsFile } from "../config/secrets.ts";
import { controlSocketPath } from "../config/sections/control.ts";
import { brokerUrl, embeddedBrokerMqtt } from "../config/sections/mqtt.ts";
import type { CredentialRecord } from "../controller/access/credential-store.ts";
import {
  consoleUsersFile,
  generatePassword,
  saveConsoleUsers,
  withUser,
} from "../controller/console/console-users.ts";
import { type IdentifierHasher, parseHexIdentifier } from "../device/identity/hasher.ts";
import type { DemoCard } from "../simulator/control-http.ts";
import { type BootedStation, bootStation } from "./boot.ts";
import { DEMO_FACE, enrolDemoFace } from "./demo-face.ts";
import { writeDemoStationFile } from "./demo-station-file.ts";
import { EmbeddedBroker } from "./embedded-broker.ts";
import { alreadyRunning, tryInstanceLock } from "./instance-lock.ts";
import { PACKAGE_ROOT } from "./paths.ts";

export const DEMO_KNOWN_CARD = "04A1B2C3";
export const DEMO_CONSOLE_USER = "technician";
export const DEMO_UNKNOWN_CARD = "DEADBEEF";
/** chip serial of the demo worker's resident ID card (8 bytes) */
export const DEMO_ID_CARD = "0123456789ABCDEF";
export const DEMO_CARDS: readonly DemoCard[] = [
  { label: "the known card", uid: DEMO_KNOWN_CARD },
  { label: "an unknown card", uid: DEMO_UNKNOWN_CARD },
  { label: "the known resident ID card", uid: DEMO_ID_CARD },
  { label: "a technician's card", uid: "04C0FFEE" },
  { label: "a blocked card", uid: "04B10C4D" },
  { label: "an expired card", uid: "04E4A1ED" },
  { label: "a night-shift card (20:00-08:00)", uid: "04A1D0A1" },
];

/** The demo's enrolment: one card per kind of decision a technician should see. */
function demoCredentials(hasher: IdentifierHasher, now: number): CredentialRecord[] {
  const card = (uid: string) => hasher("card-uid", parseHexIdentifier(uid) ?? new Uint8Array());
  const base = { status: "active", secondFactor: false } as const;
  return [
    { ...base, credential: card(DEMO_KNOWN_CARD), personId: "demo-worker", role: "worker" },
    {
      ...base,
      credential: hasher("resident-id", parseHexIdentifier(DEMO_ID_CARD) ?? new Uint8Array()),
      personId: "demo-worker",
      role: "worker",
    },
    { ...base, credential: card("04C0FFEE"), personId: "demo-technician", role: "technician" },
    { ...base, credential: card("04B10C4D"), personId: "demo-blocked", role: "worker", status: "blocked" },
    {
      ...base,
      credential: card("04E4A1ED"),
      personId: "demo-expired",
      role: "worker",
      validUntil: now - 86_400_000,
    },
    {
      ...base,
      credential: card("04A1D0A1"),
      personId: "demo-night",
      role: "worker",
      schedule: "night-shift",
    },
  ];
}

export interface DemoOptions {
  logger: Logger;
  configFile?: string;
  /** use this broker instead of the embedded one */
  brokerUrl?: string;
  brokerPort?: number;
  consolePort?: number;
  dataDir?: string;
  swingShutMs?: number;
  /** false: the in-process simulated reader even where pcscd with vpcd is available */
  pcscd?: boolean;
}

export interface Demo {
  config: StationConfig;
  /** the station file that describes this demo as it runs (its own, when options moved it) */
  stationFile: string;
  broker: EmbeddedBroker | undefined;
  booted: BootedStation;
  brokerUrl: string;
  consoleUrl: string | undefined;
  /** the console's technician and this run's one-time password */
  consoleLogin: { user: string; password: string };
  stop(): Promise<void>;
}

/** The demo: embedded broker (unless told otherwise), a simulated station, the console. */
export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const file = opts.configFile ?? join(PACKAGE_ROOT, "config", "demo.yaml");
  let config = loadConfigFile(file);
  if (opts.dataDir) {
    config = { ...config, dataDir: opts.dataDir, secretsFile: join(opts.dataDir, "secrets.yaml") };
  }
  claimDemoDataDir(config, file);
  if (opts.consolePort !== undefined)
    config = { ...config, console: { ...config.console, port: opts.consolePort } };

  // The demo provisions itself: a fresh random credential key on first start, kept after that.
  const secrets = existsSync(config.secretsFile)
    ? loadSecretsFile(config.secretsFile)
    : createSecretsFile(config.secretsFile);

  // One demo per data directory, as one station per process: a second `npm start` stops here.
  mkdirSync(config.dataDir, { recursive: true });
  const attempt = await tryInstanceLock(config.dataDir);
  if (attempt.status === "held") throw alreadyRunning(config.dataDir, attempt.holder);
  const instance = attempt.status === "acquired" ? attempt.lock : undefined;

  // The console's technician: a fresh one-time password at every start, printed in the banner.
  // There is no default password: a console login is only ever one that was just generated.
  const consolePassword = generatePassword();
  saveConsoleUsers(
    consoleUsersFile(config.dataDir),
    await withUser(undefined, DEMO_CONSOLE_USER, "technician", consolePassword, new Date()),
  );

  let broker: EmbeddedBroker | undefined;
  if (opts.brokerUrl) {
    config = { ...config, mqtt: { ...config.mqtt, url: opts.brokerUrl } };
  } else if (config.broker.embedded) {
    broker = new EmbeddedBroker(
      config.broker.host,
      opts.brokerPort ?? config.broker.port,
      opts.logger.child({ module: "broker" }),
    );
    await broker.start().catch((err: unknown) => {
      instance?.release();
      throw err;
    });
    config = {
      ...config,
      mqtt: embeddedBrokerMqtt(config.mqtt, { host: config.broker.host, port: broker.port }),
    };
  }

  let booted: BootedStation;
  try {
    booted = await bootStation({
      config,
      logger: opts.logger,
      secrets,
      demoCards: DEMO_CARDS,
      seedCredentials: (store, hasher) => store.replaceStatic(demoCredentials(hasher, Date.now())),
      configFile: file,
      ...(opts.pcscd === false ? { pcscStack: "off" as const } : {}),
      ...(opts.swingShutMs === undefined ? {} : { swingShutMs: opts.swingShutMs }),
      // simulated phones and e-bike batteries charge 60× faster, so a session ends while you watch
      powerTimeScale: 60,
    });
  } catch (err) {
    await broker?.stop();
    instance?.release();
    throw err;
  }
  const offFace = enrolDemoFace(booted, config, opts.logger);
  const moved = opts.dataDir !== undefined || opts.brokerPort !== undefined || opts.consolePort !== undefined;
  return {
    config,
    stationFile:
      moved || opts.brokerUrl
        ? writeDemoStationFile(file, config, { broker, consoleUrl: booted.station.console?.url })
        : file,
    broker,
    booted,
    brokerUrl: brokerUrl(config),
    consoleUrl: booted.station.console?.url,
    consoleLogin: { user: DEMO_CONSOLE_USER, password: consolePassword },
    async stop() {
      offFace();
      await booted.stop();
      await broker?.stop();
      instance?.release();
    },
  };
}

/** Marks a data directory the demo made its own (it holds demo cards, one a technician's). */
export const DEMO_MARKER = ".waystation-demo";

/**
 * The demo enrols its cards (one a technician's, which bypasses lockout) into the data
 * directory's store. So it runs only on simulated hardware, and only on a data directory that is
 * the demo's own: under the package's .waystation/, new or empty, or marked by an earlier demo.
 * A real station's file or data directory is refused before anything is written.
 */
function claimDemoDataDir(config: StationConfig, file: string): void {
  if (config.hardware.mode !== "simulated") {
    throw new StationError(
      "DEMO_REFUSED",
      "config",
      `${file} describes real hardware; the demo runs simulated only`,
      {
        hint: "run a real station with: waystation run --config FILE",
      },
    );
  }
  const dir = config.dataDir;
  const inside = relative(join(PACKAGE_ROOT, ".waystation"), dir);
  const ours = inside === "" || (!inside.startsWith("..") && !inside.startsWith("/"));
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  if (!ours && entries.length > 0 && !entries.includes(DEMO_MARKER)) {
    throw new StationError(
      "DEMO_REFUSED",
      "config",
      `the data directory ${dir} is not the demo's own (it would enrol the demo cards into that station's store)`,
      { hint: "give the demo a new directory: --data-dir /tmp/waystation-demo" },
    );
  }
  ensurePrivateDir(dir);
  if (!entries.includes(DEMO_MARKER))
    writeFileSync(join(dir, DEMO_MARKER), "made by waystation demo\n", { mode: 0o600 });
}

export function demoBanner(demo: Demo): string {
  const id = demo.config.station.id;
  const url = new URL(demo.brokerUrl);
  // The CLI finds the demo by itself unless options moved it: then its own station file says where.
  const socket = controlSocketPath(demo.config);
  const moved = demo.stationFile !== join(PACKAGE_ROOT, "config", "demo.yaml");
  const consoleArg = moved ? ` --config ${demo.stationFile}` : "";
  const vpcd = demo.booted.readerPaths.some((p) => p.how.includes("vpcd"));
  return [
    "",
    `Waystation demo: station "${id}" on simulated hardware`,
    `  console     ${demo.consoleUrl ?? "(disabled)"}`,
    ...(demo.consoleUrl
      ? [
          `  login       ${demo.consoleLogin.user} / ${demo.consoleLogin.password}   (a new password at every start)`,
        ]
      : []),
    `  MQTT        ${demo.brokerUrl}${demo.broker ? " (embedded broker)" : ""}`,
    `  data        ${demo.config.dataDir}`,
    `  control     ${socket}`,
    ...(moved
      ? [`  station     ${demo.stationFile}   (--config FILE for events, credentials, doctor, selftest)`]
      : []),
    ...demo.booted.readerPaths.map((p) => `  reader ${p.id.padEnd(5)} ${p.how}`),
    ...demo.booted.devicePaths.map((p) => `  ${p.id.padEnd(12)} ${p.how}`),
    "",
    "Try, from a second terminal:",
    `  mosquitto_sub -h ${url.hostname} -p ${url.port || 1883} -t '${demo.config.mqtt.topicRoot}/#' -v`,
    `  npx waystation sim tap ${DEMO_KNOWN_CARD}${consoleArg}     # a known card: the door unlocks`,
    `  npx waystation sim tap ${DEMO_UNKNOWN_CARD}${consoleArg}     # an unknown card: denied`,
    `  npx waystation sim tap ${DEMO_ID_CARD}${consoleArg}     # the resident ID card: one grant, however long it lies there`,
    ...(vpcd
      ? [
          `  npx waystation sim tap broken${consoleArg}     # a card answering garbage: reader.unsupported-card`,
        ]
      : []),
    ...(demo.config.face
      ? [
          `  npx waystation sim face ${DEMO_FACE.probe}${consoleArg}     # the demo worker turning his head slightly: the door unlocks (the face process loads for a few seconds first)`,
          `  npx waystation sim face stranger${consoleArg}     # a face nobody enrolled: refused`,
          `  npx waystation sim face photo-attack${consoleArg}     # a printed photo of the worker: refused as a spoof`,
        ]
      : []),
    `  npx waystation sim push-door${consoleArg}`,
    `  npx waystation sim exit-button${consoleArg}`,
    "",
    "Ctrl-C stops the station (the lock goes to its fail-secure state).",
    "",
  ].join("\n");
}
