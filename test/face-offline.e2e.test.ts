import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemon, realStackAvailable } from "./support/real-stack.ts";

/**
 * The models load with the network unreachable: the face engine runs in a fresh network
 * namespace (`unshare --net`: no route anywhere), and still loads every model and embeds a face.
 */
const unshare = daemon("unshare", "util-linux");

describe("face models offline", () => {
  if (!realStackAvailable(unshare)) return;

  it("load from the npm package on disk with no network at all, on the WASM backend", () => {
    const child = join(import.meta.dirname, "support", "face-offline-child.ts");
    const out = execFileSync(
      unshare.path as string,
      ["--net", "--", process.execPath, "--import", "tsx", child],
      {
        encoding: "utf8",
        timeout: 120_000,
        cwd: join(import.meta.dirname, ".."),
      },
    );
    const r = JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
    expect(r.network).toMatch(/^unreachable/);
    expect(r).toMatchObject({ backend: "wasm", faces: 1, dim: 1024 });
  }, 150_000);
});
