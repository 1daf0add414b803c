import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../paths.ts";
import { type Command, usageError } from "./usage.ts";

/** The published MQTT contract, generated from the zod types the code uses. */
export const contract: Command = async (args) => {
  const [sub, ...rest] = args;
  if (sub !== "asyncapi") throw usageError("contract asyncapi [--write]");
  const { asyncApiYaml } = await import("../../controller/contract/asyncapi.ts");
  const text = asyncApiYaml();
  if (rest.includes("--write")) writeFileSync(join(PACKAGE_ROOT, "docs", "asyncapi.yaml"), text);
  else process.stdout.write(text);
  return 0;
};
