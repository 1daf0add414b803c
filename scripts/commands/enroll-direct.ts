import { loadConfigFile } from "../../config/load.ts";
import { loadSecretsFile } from "../../config/secrets.ts";
import { SystemClock } from "../../device/clock/system-clock.ts";
import { createIdentifierHasher } from "../../device/identity/hasher.ts";
import { stationFileFor } from "../control-client.ts";
import { cliLogger } from "../logging.ts";
import { buildReaders } from "../readers.ts";
import type { CardRead, EnrollCardOptions } from "./enroll.ts";
import { usageError } from "./usage.ts";

/**
 * With no station running, the readers are free: open them here, take the first read, close
 * them. Only on real hardware — a simulated station's readers exist only inside it.
 */
export async function readCardDirectly(opts: EnrollCardOptions, timeoutMs: number): Promise<CardRead> {
  const config = loadConfigFile(stationFileFor(opts.config));
  if (config.hardware.mode !== "real") {
    throw usageError(
      "no station is running, and a simulated station's readers exist only inside it: start it (npm start), then tap with waystation sim tap",
    );
  }
  const wanted = config.hardware.readers.filter((r) => opts.reader === undefined || r.id === opts.reader);
  if (wanted.length === 0) throw usageError(`no reader "${opts.reader}" in hardware.readers`);
  const logger = await cliLogger("warn");
  const built = await buildReaders(
    { ...config, hardware: { ...config.hardware, readers: wanted } },
    {
      clock: new SystemClock(),
      hasher: createIdentifierHasher(loadSecretsFile(config.secretsFile).credentialKey),
      logger,
    },
  );
  try {
    await Promise.all(built.readers.map((r) => r.start()));
    process.stderr.write(`present the card at ${wanted.map((r) => r.id).join(" or ")} now\n`);
    return await new Promise<CardRead>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(usageError(`no card was read within ${Math.round(timeoutMs / 1000)} s`)),
        timeoutMs,
      );
      for (const r of built.readers)
        r.onRead((read) => {
          clearTimeout(timer);
          r.signal("grant");
          resolve({ readerId: read.readerId, credential: read.credential, format: read.format });
        });
    });
  } finally {
    await Promise.all(built.readers.map((r) => r.stop().catch(() => undefined)));
    await built.stop();
  }
}
