import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStationError } from "../config/errors.ts";
import { startDemo } from "../scripts/demo.ts";

/** A port someone else holds gives an error that names the setting to change, not a stack trace. */
describe("busy ports", () => {
  let holder: Server;
  let port = 0;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
    const a = holder.address();
    port = typeof a === "object" && a ? a.port : 0;
  });
  afterAll(() => new Promise<void>((r) => holder.close(() => r())));

  const dataDir = () => mkdtempSync(join(tmpdir(), "ws-busy-"));

  it("the embedded broker's port", async () => {
    const err = await startDemo({
      logger: pino({ level: "silent" }),
      brokerPort: port,
      consolePort: 0,
      dataDir: dataDir(),
    }).catch((e: unknown) => e);
    expect(isStationError(err, "PORT_IN_USE")).toBe(true);
    expect((err as Error).message).toContain("broker.port");
    expect((err as Error).message).toContain(String(port));
  });

  it("the console's port", async () => {
    const err = await startDemo({
      logger: pino({ level: "silent" }),
      brokerPort: 0,
      consolePort: port,
      dataDir: dataDir(),
    }).catch((e: unknown) => e);
    expect(isStationError(err, "PORT_IN_USE")).toBe(true);
    expect((err as Error).message).toContain("console.port");
  });
});
