import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { NFC, Reader } from "nfc-pcsc";
import pino from "pino";
import { MemoryCredentialStore, simpleEntry } from "../controller/access/credential-store.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import { createIdentifierHasher } from "../device/identity/hasher.ts";
import { NfcPcscTransport } from "../device/pcsc/nfc-pcsc-transport.ts";
import { PcscCardReader } from "../device/pcsc/pcsc-reader.ts";
import { findPcscdTools, PrivatePcscd } from "../scripts/pcscd.ts";
import { VpcdCardPlayer } from "../simulator/vpcd/card-player.ts";
import { mifareCard } from "../simulator/vpcd/sim-cards.ts";
import { accessRig } from "./access-rig.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

/**
 * Tap to unlock through the real stack: a simulated card connects to vpcd (the card lands on
 * the reader), pcscd polls and finds it, nfc-pcsc reports it, our driver reads and hashes the
 * UID, the controller decides and commands the lock. Timed from the card's arrival to the lock
 * command, and split into our share (driver, hashing, decision, door) and the stack's (pcscd's
 * polling, nfc-pcsc, the APDU round trip).
 *
 * Baseline, in the same run on the same pcscd: bare nfc-pcsc with its own card handling, from
 * the card's arrival to its `card` event carrying the UID — what any application on this stack
 * waits for before it can do anything.
 */
const POLL_CYCLE_MS = 450;

async function until<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

export async function benchPcscTapToUnlock(samples: number): Promise<BenchResult[] | string> {
  const found = findPcscdTools();
  if (!found.ok) return `reader.pcsc.tap_to_unlock skipped: ${found.reason}`;
  const pcscd = new PrivatePcscd(found.tools);
  try {
    await pcscd.start();
  } catch (err) {
    await pcscd.dispose();
    return `reader.pcsc.tap_to_unlock skipped: ${(err as Error).message}`;
  }
  const [ourReader, bareReader] = pcscd.readers();
  if (!ourReader || !bareReader) throw new Error("vpcd offers two readers");
  const log = pino({ level: "silent" });
  const clock = new SystemClock();
  const doorClock = new ManualClock();
  const hasher = createIdentifierHasher(randomBytes(32).toString("hex"));
  const uids = Array.from({ length: samples + 1 }, () => Uint8Array.from([0x04, ...randomBytes(3)]));
  const store = new MemoryCredentialStore(
    uids.map((u, i) => ({ ...simpleEntry(`p${i}`), credential: hasher("card-uid", u) })),
  );
  const transport = new NfcPcscTransport({ socketPath: pcscd.socketPath }, clock, log);
  const driver = new PcscCardReader(
    "entry",
    transport,
    { readerName: ourReader.name, repeatMs: 0, attachGraceMs: 3000, allowVirtual: true },
    hasher,
    clock,
    log,
  );
  const rig = accessRig([driver], store, doorClock, log);
  const relay = rig.relay;
  const ours = new VpcdCardPlayer({ host: "127.0.0.1", port: ourReader.port }, clock, log);
  const bare = new VpcdCardPlayer({ host: "127.0.0.1", port: bareReader.port }, clock, log);

  // The baseline: plain nfc-pcsc (its own GET DATA) on the other virtual reader.
  const { NFC: NfcClass } = (await import("nfc-pcsc")) as unknown as { NFC: new () => NFC };
  let bareSeenAt: number | undefined;
  let bareGone = true;
  let oursGone = true;
  let nfc: NFC | undefined;
  // Each reader nfc-pcsc hands out holds a native monitor thread of its own: closing the context
  // alone leaves it running, and the bench process would never exit.
  const bareReaders: Reader[] = [];
  transport.onEvent((e) => {
    if (e.type === "card-removed" && e.reader === ourReader.name) oursGone = true;
  });

  const totals: number[] = [];
  const oursMs: number[] = [];
  const stackMs: number[] = [];
  const controllerMs: number[] = [];
  const bareMs: number[] = [];
  try {
    await rig.start();
    await until(() => driver.readerName, 5000, "our reader");
    nfc = new NfcClass();
    nfc.on("error", () => {});
    nfc.on("reader", (r: Reader) => {
      bareReaders.push(r);
      r.on("error", () => {});
      if (r.name !== bareReader.name) {
        // Not ours to touch: a second context connecting to our reader's cards would skew them.
        r.autoProcessing = false;
        r.reader.close();
        return;
      }
      r.on("card", (card: { uid?: string }) => {
        if (card.uid) bareSeenAt = performance.now();
      });
      r.on("card.off", () => {
        bareGone = true;
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    // pcscd polls on its own cycle (~0.45 s with vpcd): a loop that waits for each result locks
    // onto that cycle and measures one phase of it. Arrivals are therefore spread at random over
    // a cycle, and ours and the baseline take turns going first. Sample 0 warms up and is dropped.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const jitter = () => new Promise((r) => setTimeout(r, random() * POLL_CYCLE_MS));
    const runOurs = async (uid: Uint8Array, keep: boolean) => {
      await jitter();
      relay.commandedAt = undefined;
      oursGone = false;
      const t0 = performance.now();
      await ours.insert(mifareCard(uid));
      const lockAt = await until(() => relay.commandedAt, 5000, "the lock command");
      const timing = driver.lastTiming;
      if (!timing) throw new Error("bench: no read timing");
      ours.remove();
      doorClock.advance(1000); // the grant runs out and the door relocks
      if (!keep) return;
      const mine = lockAt - timing.presentAtMs - timing.transmitMs;
      totals.push(lockAt - t0);
      oursMs.push(mine);
      stackMs.push(lockAt - t0 - mine);
      controllerMs.push(lockAt - timing.emittedAtMs);
    };
    const runBare = async (uid: Uint8Array, keep: boolean) => {
      await jitter();
      bareSeenAt = undefined;
      bareGone = false;
      const b0 = performance.now();
      await bare.insert(mifareCard(uid));
      const seen = await until(() => bareSeenAt, 5000, "bare nfc-pcsc");
      bare.remove();
      if (keep) bareMs.push(seen - b0);
    };
    for (let i = 0; i <= samples; i++) {
      const uid = uids[i % uids.length] ?? new Uint8Array(4);
      if (i % 2 === 0) {
        await runOurs(uid, i > 0);
        await runBare(uid, i > 0);
      } else {
        await runBare(uid, true);
        await runOurs(uid, true);
      }
      // pcscd must have seen both cards leave, or the next arrival is no arrival.
      await until(() => (oursGone && bareGone) || undefined, 5000, "pcscd to see the cards leave");
    }
  } finally {
    ours.remove();
    bare.remove();
    for (const r of bareReaders) r.reader.close();
    nfc?.close();
    await rig.stop();
    await pcscd.dispose();
  }
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
  const med = (v: number[]) => percentile(sorted(v), 50);
  const p95 = (v: number[]) => percentile(sorted(v), 95);
  const params = {
    samples,
    stack: "pcscd 1.9 + vsmartcard vpcd + nfc-pcsc 0.8",
    card: "MIFARE Classic 4-byte UID",
  };
  return [
    result({
      name: "reader.pcsc.tap_to_unlock",
      metric: "median_ms",
      value: round(med(totals), 1),
      unit: "ms",
      params,
      baseline: { name: "bare nfc-pcsc: card arrives -> uid event", value: round(med(bareMs), 1) },
    }),
    result({
      name: "reader.pcsc.tap_to_unlock",
      metric: "p95_ms",
      value: round(p95(totals), 1),
      unit: "ms",
      params,
      baseline: { name: "bare nfc-pcsc p95", value: round(p95(bareMs), 1) },
    }),
    result({
      name: "reader.pcsc.tap_to_unlock",
      metric: "ours_ms",
      value: round(med(oursMs), 3),
      unit: "ms",
      params: {
        ...params,
        share: "driver + hash + decision + door, median",
        controller_ms: round(med(controllerMs), 3),
        driver_ms: round(med(oursMs.map((m, i) => m - (controllerMs[i] ?? 0))), 3),
      },
      baseline: {
        name: "waiting on pcscd polling, nfc-pcsc and the APDU, median",
        value: round(med(stackMs), 1),
      },
    }),
  ];
}
