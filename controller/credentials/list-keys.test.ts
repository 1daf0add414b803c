import { describe, expect, it } from "vitest";
import { type ListKeyState, listKeyRefusal } from "./list-keys.ts";

const A = "aaaaaaaaaaaaaaaa";
const B = "bbbbbbbbbbbbbbbb";
const C = "cccccccccccccccc";

describe("which credential key a list may be hashed under", () => {
  const cases: [string, ListKeyState, string, "full" | "delta", string | undefined][] = [
    ["a full list under the current key", { current: A }, A, "full", undefined],
    ["a full list under another key", { current: A }, B, "full", "LIST_KEY_UNKNOWN"],
    ["no key on record: nothing is taken", {}, A, "full", "LIST_KEY_UNKNOWN"],
    ["rotating: a full list under the next key", { current: A, next: B }, B, "full", undefined],
    ["rotating: a full list still under the current key", { current: A, next: B }, A, "full", undefined],
    ["rotating: a third key", { current: A, next: B }, C, "full", "LIST_KEY_UNKNOWN"],
    ["a delta under its list's key", { current: A, list: A }, A, "delta", undefined],
    ["a delta with no list yet", { current: A }, A, "delta", undefined],
    [
      "rotating: a delta under the next key on a list under the current",
      { current: A, next: B, list: A },
      B,
      "delta",
      "LIST_KEY_MISMATCH",
    ],
    [
      "rotating: a delta under the next key on a list under it",
      { current: A, next: B, list: B },
      B,
      "delta",
      undefined,
    ],
    ["after a rotation: a delta under the old key", { current: B, list: B }, A, "delta", "LIST_KEY_UNKNOWN"],
  ];
  it.each(cases)("%s", (_, state, fp, type, code) => {
    expect(listKeyRefusal(state, fp, type)?.code).toBe(code);
  });

  it("a mismatched delta asks for a full list", () => {
    expect(listKeyRefusal({ current: A, next: B, list: A }, B, "delta")?.data).toMatchObject({
      request: "full",
      list: A,
    });
  });
});
