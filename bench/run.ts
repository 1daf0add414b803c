import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { benchAccessDecision } from "./access-decision.ts";
import { benchAccessProcess } from "./access-process.ts";
import { benchCredentialListApply } from "./credential-list-apply.ts";
import { benchFaceMatch } from "./face-match.ts";
import { benchFaceMotion } from "./face-motion.ts";
import { benchFacePipeline, benchFaceToUnlock } from "./face-pipeline.ts";
import { benchFaceRates } from "./face-rates.ts";
import { benchFaceSpoof } from "./face-spoof.ts";
import { benchJournalAppend } from "./journal-append.ts";
import { benchModbus } from "./modbus-poll.ts";
import { benchMqttDrain } from "./mqtt-drain.ts";
import { benchOccupancy } from "./occupancy.ts";
import { benchPcscTapToUnlock } from "./reader-pcsc.ts";
import { benchWiegandDecode } from "./reader-wiegand.ts";
import { type BenchResult, printTable, writeResults } from "./report.ts";

export interface BenchOptions {
  /** smaller sizes and fewer rounds: a few minutes instead of a quarter of an hour */
  quick?: boolean | undefined;
  /** the results as JSON on stdout (the progress lines go to stderr) */
  json?: boolean | undefined;
}

/** `npm run bench`: every figure beside a baseline measured in the same run. */
export async function runBench(values: BenchOptions): Promise<number> {
  const out = values.json ? process.stderr : process.stdout;
  const sizes = values.quick ? [1000, 100_000] : [1000, 100_000, 1_000_000];
  const results: BenchResult[] = [];
  // The real-stack reader bench first: after a million credentials the heap's garbage would
  // add collector pauses to a sub-millisecond share.
  out.write("reader.pcsc.tap_to_unlock through pcscd + vpcd...\n");
  const pcsc = await benchPcscTapToUnlock(values.quick ? 8 : 30);
  if (typeof pcsc === "string") out.write(`${pcsc}\n`);
  out.write("reader.wiegand.decode...\n");
  const wiegand = benchWiegandDecode(values.quick ? 20_000 : 100_000);
  out.write("modbus.poll_cycle and safety.cut_latency over a socat pty at 9600 baud...\n");
  const modbus = await benchModbus(values.quick ?? false);
  if (typeof modbus === "string") out.write(`${modbus}\n`);
  else results.push(...modbus);
  out.write("journal.append...\n");
  results.push(...(await benchJournalAppend(values.quick ?? false)));
  out.write("mqtt.drain of a 100,000-event backlog...\n");
  results.push(...(await benchMqttDrain(values.quick ?? false)));
  out.write(`access.decision with ${sizes.join(", ")} credentials...\n`);
  results.push(...(await benchAccessDecision(sizes)));
  const listSize = values.quick ? 100_000 : 1_000_000;
  out.write(`credentials.apply_full of ${listSize} entries, door decisions meanwhile...\n`);
  results.push(...(await benchCredentialListApply(listSize, sizes.at(-1) ?? 1000)));
  const n = sizes.at(-1) ?? 1000;
  out.write(`access.rss and access.coldstart: whole controller processes with ${n} credentials...\n`);
  results.push(...(await benchAccessProcess(n, values.quick ? 1 : 3)));
  out.write(`ld2410.frame_to_state and station.rss with radar, board, PIR and beam (${n} credentials)...\n`);
  const occupancy = await benchOccupancy(n, values.quick ?? false);
  if (typeof occupancy === "string") out.write(`${occupancy}\n`);
  else results.push(...occupancy);
  out.write("face.pipeline, face.load, face.rss: the face process over the shipped models...\n");
  results.push(...(await benchFacePipeline(values.quick ? 5 : 20)));
  out.write("face.to_unlock: a simulated station with the face module...\n");
  results.push(await benchFaceToUnlock(values.quick ? 3 : 10));
  if (!values.quick) {
    out.write("face.rates: false accepts and rejects over the package's 90 extracted faces...\n");
    results.push(...(await benchFaceRates()));
    out.write("face.spoof: the models on colour photo attacks made from the sample faces...\n");
    results.push(...(await benchFaceSpoof()));
    process.stdout.write("face.motion: the burst check on 2.5D turning faces and moved photo attacks...\n");
    results.push(...(await benchFaceMotion()));
  }
  const templates = values.quick ? 20_000 : 100_000;
  out.write(`face.match over ${templates} synthetic templates (a minute or two to build)...\n`);
  results.push(...benchFaceMatch(templates, values.quick ? 300 : 1000));
  results.push(wiegand);
  if (typeof pcsc !== "string") results.push(...pcsc);
  const file = writeResults(dirname(fileURLToPath(import.meta.url)), results);
  const failed = results.filter((r) => r.budget && !r.budget.pass);
  if (values.json) {
    const overBudget = failed.map((r) => r.name);
    process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, file, overBudget, results })}\n`);
    return failed.length > 0 ? 1 : 0;
  }
  out.write(`\n${printTable(results)}\n\n`);
  out.write(`written to ${file}\n`);
  if (failed.length > 0) out.write(`over budget: ${failed.map((r) => r.name).join(", ")}\n`);
  return failed.length > 0 ? 1 : 0;
}

/**
 * `waystation bench`: a batch command, so it exits once the results are written, whatever is
 * still open. @pokusew/pcsclite's native monitor threads can outlive `close()` on the readers and
 * the context (seen after the PC/SC bench even with every reader closed, no JS handle left), and
 * would keep the process alive for ever.
 */
export async function benchCommand(opts: BenchOptions): Promise<number> {
  const code = await runBench(opts);
  process.exit(code);
}
