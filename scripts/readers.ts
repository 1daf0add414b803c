import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { isStationError } from "../config/errors.ts";
import type { StationConfig } from "../config/schema.ts";
import type { PcscReaderConfig, WiegandReaderConfig } from "../config/sections/readers.ts";
import { chooseHeaderChip, listGpioChips, sysfsNumber } from "../device/gpio/chip-base.ts";
import { OnoffInput, OnoffOutput } from "../device/gpio/onoff-gpio.ts";
import type { IdentifierHasher } from "../device/identity/hasher.ts";
import { DEFAULT_PCSCD_SOCKET, NfcPcscTransport } from "../device/pcsc/nfc-pcsc-transport.ts";
import { PcscCardReader } from "../device/pcsc/pcsc-reader.ts";
import type { CardReader } from "../device/ports/card-reader.ts";
import type { Clock } from "../device/ports/clock.ts";
import { decoderOptionsFromConfig, WiegandReader } from "../device/wiegand/wiegand-reader.ts";
import { SimCardReader } from "../simulator/card-reader.ts";
import type { SimReaderSlot } from "../simulator/reader-slot.ts";
import { vpcdSlot, wiegandSlot } from "../simulator/reader-slots.ts";
import { findPcscdTools, PrivatePcscd, reachable, systemVpcdReader } from "./pcscd.ts";

/** A pcscd with vpcd readers that simulated cards can be played into. */
export interface SimPcscStack {
  /** pcscd's socket; undefined for the system's default one */
  readonly socketPath: string | undefined;
  /** the virtual readers and the TCP port a card connects to for each */
  readonly readers: readonly { readonly name: string; readonly port: number }[];
  /** for the banner: which pcscd this is */
  readonly how: string;
  stop(): Promise<void>;
}

/** "auto": the system's pcscd with vpcd if it answers, else a private one, else none. */
export type PcscStackChoice = SimPcscStack | "auto" | "off";

export async function openSimPcscStack(log: Logger): Promise<SimPcscStack | { reason: string }> {
  const system = systemVpcdReader();
  if (system && (await reachable(DEFAULT_PCSCD_SOCKET))) {
    return {
      socketPath: undefined,
      readers: [0, 1].map((i) => ({ name: `${system.friendlyName} 00 0${i}`, port: system.port + i })),
      how: `the system's pcscd (${DEFAULT_PCSCD_SOCKET})`,
      stop: async () => {},
    };
  }
  const found = findPcscdTools();
  if (!found.ok) return { reason: found.reason };
  removeStaleDirs();
  // One dir per process: libpcsclite keeps the first socket path it was given.
  const daemon = new PrivatePcscd(found.tools, { dir: join(tmpdir(), `ws-pcscd-${process.pid}`) });
  try {
    await daemon.start();
  } catch (err) {
    await daemon.dispose();
    return { reason: isStationError(err) ? err.describe() : String(err) };
  }
  log.info({ pid: daemon.pid, socket: daemon.socketPath, vpcdPort: daemon.port }, "private pcscd started");
  return {
    socketPath: daemon.socketPath,
    readers: daemon.readers(),
    how: `a private pcscd (pid ${daemon.pid})`,
    stop: () => daemon.dispose(),
  };
}

/** Private pcscd dirs of processes that died without cleaning up (killed outright). */
function removeStaleDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = Number(/^ws-pcscd-(\d+)$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH")
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

export interface BuiltReaders {
  /** for real hardware */
  readonly readers: CardReader[];
  /** for the simulated station */
  readonly slots: SimReaderSlot[];
  /** each reader and how it is driven, for the banner and the start-up log */
  readonly paths: { readonly id: string; readonly how: string }[];
  /** stops what the readers needed besides themselves (a private pcscd) */
  stop(): Promise<void>;
}

interface Deps {
  readonly clock: Clock;
  readonly hasher: IdentifierHasher;
  readonly logger: Logger;
  readonly pcscStack?: PcscStackChoice;
}

/**
 * Builds every configured reader by kind. On real hardware: nfc-pcsc over the system's pcscd,
 * Wiegand over onoff GPIO. On a simulated station: the same drivers wherever the simulator can
 * play the far end (pcscd + vpcd, simulated Wiegand lines), the in-process reader otherwise.
 */
export async function buildReaders(config: StationConfig, deps: Deps): Promise<BuiltReaders> {
  return config.hardware.mode === "simulated" ? buildSimulated(config, deps) : buildReal(config, deps);
}

function buildReal(config: StationConfig, deps: Deps): BuiltReaders {
  const log = deps.logger.child({ module: "readers" });
  const readers: CardReader[] = [];
  const paths: { id: string; how: string }[] = [];
  const transports = new Map<string, NfcPcscTransport>();
  const transportFor = (r: PcscReaderConfig) => {
    const key = r.pcscdSocket ?? DEFAULT_PCSCD_SOCKET;
    let t = transports.get(key);
    if (!t) {
      t = new NfcPcscTransport(
        { socketPath: r.pcscdSocket },
        deps.clock,
        deps.logger.child({ module: "pcsc" }),
      );
      transports.set(key, t);
    }
    return t;
  };
  let chip: ReturnType<typeof chooseHeaderChip> | undefined;
  for (const r of config.hardware.readers) {
    if (r.kind === "simulated") {
      log.warn({ readerId: r.id }, "reader kind 'simulated' has no hardware on a real station; skipped");
      continue;
    }
    if (r.kind === "pcsc") {
      readers.push(
        new PcscCardReader(
          r.id,
          transportFor(r),
          {
            readerName: r.readerName,
            repeatMs: r.repeatMs,
            attachGraceMs: r.attachGraceMs,
            allowVirtual: r.allowVirtualReaders,
          },
          deps.hasher,
          deps.clock,
          deps.logger.child({ module: "reader", readerId: r.id }),
        ),
      );
      paths.push({
        id: r.id,
        how: `PC/SC reader ${r.readerName ? `matching "${r.readerName}"` : "(first listed)"}`,
      });
      continue;
    }
    chip ??= chooseHeaderChip(listGpioChips(config.hardware.gpio.sysfsRoot));
    readers.push(realWiegand(r, chip, deps));
    paths.push({ id: r.id, how: `Wiegand on GPIO${r.d0}/GPIO${r.d1}` });
  }
  return { readers, slots: [], paths, stop: async () => {} };
}

function realWiegand(
  r: WiegandReaderConfig,
  chip: ReturnType<typeof chooseHeaderChip>,
  deps: Deps,
): CardReader {
  // Open-collector lines with pull-ups: low is active. No debounce: a pulse is 50 us.
  const line = (name: string, pin: number) => new OnoffInput(name, sysfsNumber(chip, pin), true, deps.clock);
  // The LED and beeper wires are pulled low through a transistor: a high GPIO turns them on.
  const out = (name: string, pin: number | undefined) =>
    pin === undefined ? undefined : new OnoffOutput(name, sysfsNumber(chip, pin), false);
  return new WiegandReader(
    r.id,
    { d0: line(`GPIO${r.d0} (D0)`, r.d0), d1: line(`GPIO${r.d1} (D1)`, r.d1) },
    { ...decoderOptionsFromConfig(r), pinTimeoutMs: r.pinTimeoutMs },
    deps.hasher,
    deps.clock,
    deps.logger.child({ module: "reader", readerId: r.id }),
    { green: out(`GPIO${r.led} (LED)`, r.led), beeper: out(`GPIO${r.beeper} (beeper)`, r.beeper) },
  );
}

async function buildSimulated(config: StationConfig, deps: Deps): Promise<BuiltReaders> {
  const log = deps.logger.child({ module: "readers" });
  const slots: SimReaderSlot[] = [];
  const choice = deps.pcscStack ?? "auto";
  let stack: SimPcscStack | undefined;
  let ownStack = false;
  let noStack = choice === "off" ? "the PC/SC stack was switched off for this run (--no-pcscd)" : undefined;
  let transport: NfcPcscTransport | undefined;
  let nextVirtual = 0;
  const sim = { clock: deps.clock, hasher: deps.hasher, logger: deps.logger };

  for (const r of config.hardware.readers) {
    if (r.kind === "wiegand") {
      slots.push(wiegandSlot(r, sim));
      continue;
    }
    if (r.kind === "pcsc" && noStack === undefined && !stack) {
      if (typeof choice === "object") stack = choice;
      else {
        const opened = await openSimPcscStack(log);
        if ("reason" in opened) noStack = opened.reason;
        else {
          stack = opened;
          ownStack = true;
        }
      }
    }
    const virtual = r.kind === "pcsc" && stack ? stack.readers[nextVirtual] : undefined;
    if (r.kind === "pcsc" && stack && virtual) {
      nextVirtual++;
      transport ??= new NfcPcscTransport(
        { socketPath: stack.socketPath },
        deps.clock,
        deps.logger.child({ module: "pcsc" }),
      );
      slots.push(
        vpcdSlot(r, {
          ...sim,
          transport,
          readerName: virtual.name,
          endpoint: { host: "127.0.0.1", port: virtual.port },
          stack: stack.how,
        }),
      );
      continue;
    }
    const why =
      r.kind === "simulated"
        ? undefined
        : stack
          ? "vpcd offers no more virtual readers"
          : (noStack ?? "no PC/SC stack");
    slots.push(
      new SimCardReader(
        r.id,
        deps.hasher,
        deps.clock,
        why ? `in-process simulated reader, because ${why}` : "in-process simulated reader",
      ),
    );
  }
  const paths = slots.map((s) => ({ id: s.id, how: s.how }));
  for (const p of paths) log.info({ readerId: p.id, how: p.how }, "reader path");
  return {
    readers: [],
    slots,
    paths,
    stop: async () => {
      if (ownStack) await stack?.stop();
    },
  };
}
