import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchAccessDecision } from "./access-decision.ts";
import { benchPcscTapToUnlock } from "./reader-pcsc.ts";
import { benchWiegandDecode } from "./reader-wiegand.ts";
import { type BenchResult, printTable, writeResults } from "./report.ts";

/** `npm run bench`: every figure beside a baseline measured in the same run. */
export async function runBench(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { quick: { type: "boolean", default: false } } });
  const sizes = values.quick ? [1000, 100_000] : [1000, 100_000, 1_000_000];
  const results: BenchResult[] = [];
  // The real-stack reader bench first: after a million credentials the heap's garbage would
  // add collector pauses to a sub-millisecond share.
  process.stdout.write("reader.pcsc.tap_to_unlock through pcscd + vpcd...\n");
  const pcsc = await benchPcscTapToUnlock(values.quick ? 8 : 30);
  if (typeof pcsc === "string") process.stdout.write(`${pcsc}\n`);
  process.stdout.write(`access.decision with ${sizes.join(", ")} credentials...\n`);
  results.push(...(await benchAccessDecision(sizes)));
  process.stdout.write("reader.wiegand.decode...\n");
  results.push(benchWiegandDecode(values.quick ? 20_000 : 100_000));
  if (typeof pcsc !== "string") results.push(...pcsc);
  process.stdout.write(`\n${printTable(results)}\n\n`);
  const file = writeResults(dirname(fileURLToPath(import.meta.url)), results);
  process.stdout.write(`written to ${file}\n`);
  return results.some((r) => r.budget && !r.budget.pass) ? 1 : 0;
}
