import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { createSecretsFile } from "../config/secrets.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import type { PrivatePcscd } from "../scripts/pcscd.ts";
import { VpcdCardPlayer } from "../simulator/vpcd/card-player.ts";
import { VpcdCardPresenter } from "../simulator/vpcd/card-presenter.ts";
import { runCli, startCli } from "./support/child.ts";
import { pcscdDaemon, privatePcscd, vpcdDriver } from "./support/pcscd.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * `enroll card` with no station running: the CLI opens the real PC/SC driver itself, through a
 * real pcscd with a vpcd reader, and the simulator presents the card into vpcd.
 */
describe("enroll card straight from the reader (no station running)", () => {
  if (!realStackAvailable(pcscdDaemon, vpcdDriver)) return;
  let pcscd: PrivatePcscd;
  const dir = mkdtempSync(join(tmpdir(), "ws-enrol-direct-"));
  const file = join(dir, "station.yaml");

  beforeAll(async () => {
    const p = privatePcscd();
    pcscd = p.daemon;
    await pcscd.start();
    createSecretsFile(join(dir, "secrets.yaml"));
    const example = resolve(import.meta.dirname, "..", "config", "examples", "raspberry-pi.yaml");
    const doc = parseDocument(readFileSync(example, "utf8"));
    doc.set("dataDir", join(dir, "data"));
    doc.set("secretsFile", join(dir, "secrets.yaml"));
    doc.setIn(["control", "socket"], join(dir, "control.sock"));
    doc.setIn(
      ["hardware", "readers"],
      [
        {
          id: "entry",
          kind: "pcsc",
          readerName: p.stack.readers[0]?.name,
          pcscdSocket: p.stack.socketPath,
          allowVirtualReaders: true,
        },
      ],
    );
    writeFileSync(file, doc.toString());
  }, 30_000);

  afterAll(async () => {
    await pcscd?.dispose();
  });

  it("reads the card at the reader, shows its kind, never its number, and enrols it", async () => {
    const child = startCli(["enroll", "card", "--person", "d1", "--config", file]);
    await waitFor(
      () => child.stderr().includes("present the card") || !child.running(),
      "the prompt",
      30_000,
    );
    expect(child.stderr()).toContain("present the card at entry");
    const port = pcscd.readers()[0]?.port ?? 0;
    const log = pino({ level: "silent" });
    const presenter = new VpcdCardPresenter(
      new VpcdCardPlayer({ host: "127.0.0.1", port }, new SystemClock(), log),
      new SystemClock(),
      log,
    );
    // a person holds the card until it beeps; again if the first was too early
    for (let i = 0; i < 6 && child.running(); i++) {
      presenter.tap("04D1D2D3");
      await waitFor(() => !child.running() || undefined, "the read", 5000).catch(() => undefined);
    }
    presenter.stop();
    expect(await child.exited, child.stderr()).toBe(0);
    expect(child.stderr()).toContain("read a contactless card (ISO 14443, 4-byte UID) at entry");
    expect(`${child.stdout()}${child.stderr()}`).not.toMatch(/04D1D2D3/i);
    const show = await runCli(["credentials", "show", "04D1D2D3", "--config", file, "--json"]);
    expect(JSON.parse(show.stdout)).toEqual([expect.objectContaining({ personId: "d1" })]);
  }, 90_000);
});
