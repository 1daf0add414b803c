import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT } from "../cli/exit-codes.ts";
import { PACKAGE_ROOT } from "../paths.ts";

/** The published MQTT contract, generated from the zod types the code uses. */
export async function contractAsyncapi(opts: { write?: boolean }): Promise<number> {
  const { asyncApiYaml } = await import("../../controller/contract/asyncapi.ts");
  const text = asyncApiYaml();
  if (opts.write) writeFileSync(join(PACKAGE_ROOT, "docs", "asyncapi.yaml"), text);
  else process.stdout.write(text);
  return EXIT.ok;
}
