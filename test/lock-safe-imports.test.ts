import { resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * `waystation lock safe` runs from the service's ExecStopPost= after the controller died, maybe
 * of a broken secrets file, a corrupt journal or a broker library that hangs: it must not even
 * load them. Its whole import graph, as the bundler sees it, is checked here.
 */
const ROOT = resolve(import.meta.dirname, "..");

function metafile(entry: string, extra: { splitting?: boolean; outdir?: string } = {}) {
  return build({
    entryPoints: [resolve(ROOT, entry)],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    packages: "external",
    metafile: true,
    logLevel: "silent",
    ...extra,
  });
}

async function importGraph(entry: string): Promise<string[]> {
  const r = await metafile(entry);
  const ours = Object.keys(r.metafile.inputs);
  const theirs = Object.values(r.metafile.inputs).flatMap((i) =>
    i.imports.filter((x) => x.external).map((x) => x.path),
  );
  return [...ours, ...theirs];
}

describe("waystation lock safe", () => {
  it("loads nothing but the station file, the GPIO driver and the instance lock", async () => {
    const graph = await importGraph("scripts/commands/lock.ts");
    expect(graph).toContain("device/real-hardware.ts");
    for (const forbidden of [
      /config\/secrets/,
      /controller\/journal\//,
      /controller\/mqtt\//,
      /controller\/access\//,
      /controller\/station/,
      /scripts\/boot/,
      /scripts\/readers/,
      /controller\/power\//,
      /controller\/cabinet\//,
      /device\/modbus\//,
      /serialport/,
      /^mqtt$/,
      /nfc-pcsc/,
    ]) {
      expect(graph.filter((p) => forbidden.test(p))).toEqual([]);
    }
  });
});

/** What `waystation lock safe` loads before its own module: the CLI's static imports only. */
async function staticGraph(entry: string): Promise<string[]> {
  const r = await metafile(entry, { splitting: true, outdir: "/tmp/unused" });
  const inputs = r.metafile.inputs;
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of inputs[file]?.imports ?? []) if (i.kind !== "dynamic-import") visit(i.path);
  };
  visit(Object.keys(inputs).find((k) => k.endsWith(entry)) ?? entry);
  return [...seen];
}

describe("the waystation command on the way to lock safe", () => {
  it("loads commander and its own command tree, and no command module, statically", async () => {
    const graph = await staticGraph("scripts/cli.ts");
    expect(graph).toContain("commander");
    expect(graph.filter((p) => /scripts\/commands\/|controller\/|config\/secrets|^mqtt$/.test(p))).toEqual(
      [],
    );
  });
});
