import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSecretsFile } from "../config/secrets.ts";
import { createIdentifierHasher } from "../device/identity/hasher.ts";
import { decodeCard, encodeCard, WIEGAND_26, WIEGAND_37 } from "../device/wiegand/formats.ts";
import { runCli } from "./support/child.ts";

/**
 * Enrolment: `waystation credentials hash` must give exactly the hash the reader drivers emit,
 * for every kind of identifier, or an enrolled worker would be refused at the door.
 */
describe("credentials hash for every reader kind", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-enrol-"));
  const file = join(dir, "secrets.yaml");
  const hasher = createIdentifierHasher(createSecretsFile(file).credentialKey);
  const cli = async (...args: string[]) => {
    const r = await runCli(["credentials", "hash", ...args, "--secrets", file]);
    expect(r.stderr).toBe("");
    return r.stdout.trim();
  };
  const wiegand = (layout: typeof WIEGAND_26, v: { facility?: number; card: number }) => {
    const d = decodeCard(encodeCard(layout, v), layout);
    if (!d.ok) throw new Error(d.reason);
    return hasher("wiegand", d.value.identifier);
  };

  it("a resident ID card serial, as the PC/SC driver hashes it", async () => {
    expect(await cli("0123456789ABCDEF", "--kind", "resident-id")).toBe(
      hasher("resident-id", Buffer.from("0123456789abcdef", "hex")),
    );
  });

  it("a Wiegand card as printed (facility:card), as the decoder hashes the frame", async () => {
    expect(await cli("90:324", "--kind", "wiegand")).toBe(wiegand(WIEGAND_26, { facility: 90, card: 324 }));
    expect(await cli("34359738367", "--kind", "wiegand", "--format", "wiegand-37")).toBe(
      wiegand(WIEGAND_37, { card: 34_359_738_367 }),
    );
  });

  it("a PIN, as the keypad driver hashes it", async () => {
    expect(await cli("4711", "--kind", "keypad")).toBe(hasher("keypad", new TextEncoder().encode("4711")));
  });

  it("refuses what no reader could send", async () => {
    const r = await runCli(["credentials", "hash", "256:1", "--kind", "wiegand", "--secrets", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not fit wiegand-26");
  });
});

/** Card numbers and PINs on a command line end up in `ps` and shell history; errors end up in scrollback. */
describe("identifiers kept out of ps, history and error messages", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-enrol-"));
  const file = join(dir, "secrets.yaml");
  const hasher = createIdentifierHasher(createSecretsFile(file).credentialKey);

  it('reads the identifier from stdin ("-") or a file, giving the same hash', async () => {
    const expected = hasher("keypad", new TextEncoder().encode("246813"));
    const fromStdin = await runCli(
      ["credentials", "hash", "-", "--kind", "keypad", "--secrets", file],
      "246813\n",
    );
    expect(fromStdin.stdout.trim()).toBe(expected);
    const idFile = join(dir, "pin.txt");
    writeFileSync(idFile, "246813\n", { mode: 0o600 });
    const fromFile = await runCli([
      "credentials",
      "hash",
      "--id-file",
      idFile,
      "--kind",
      "keypad",
      "--secrets",
      file,
    ]);
    expect(fromFile.stdout.trim()).toBe(expected);
    const uid = await runCli(["credentials", "hash", "-", "--secrets", file], "04A1B2C3");
    expect(uid.stdout.trim()).toBe(hasher("card-uid", Buffer.from("04a1b2c3", "hex")));
  });

  it.each([
    { name: "a card number that is not hex", id: "04A1B2QQ7788", args: [] as string[] },
    { name: "a Wiegand card too big for its format", id: "90:99999999", args: ["--kind", "wiegand"] },
    { name: "a PIN of letters", id: "12ab5678", args: ["--kind", "keypad"] },
  ])("an error about $name does not repeat it", async ({ id, args }) => {
    const r = await runCli(["credentials", "hash", "-", ...args, "--secrets", file], id);
    expect(r.code).not.toBe(0);
    expect(r.stderr.length).toBeGreaterThan(0);
    expect(r.stderr + r.stdout).not.toContain(id);
    expect(r.stderr).not.toContain(id.split(":").at(-1) ?? id);
  });
});
