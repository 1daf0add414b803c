import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOT_KERNEL_WASM } from "../device/face/matcher/dot-kernel.wasm.ts";
// @ts-expect-error: a plain .mjs build script without types
import { compileDotKernel } from "../scripts/build-dot-kernel.mjs";

/** The WASM bytes the matcher runs are the committed .wat source, compiled: nothing opaque. */
describe("the face matcher's SIMD kernel", () => {
  it("is what device/face/matcher/dot-kernel.wat compiles to", async () => {
    expect(await compileDotKernel()).toBe(DOT_KERNEL_WASM);
    const wat = readFileSync(new URL("../device/face/matcher/dot-kernel.wat", import.meta.url), "utf8");
    expect(wat).toContain("f32x4.mul");
    expect(wat).toContain("i64.popcnt");
  });
});
