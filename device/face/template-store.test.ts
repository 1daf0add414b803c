import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStationError } from "../../config/errors.ts";
import { templateFileName } from "./template-crypto.ts";
import { TemplateStore } from "./template-store.ts";

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 8);

function embedding(seed: number): Float32Array {
  return Float32Array.from({ length: 1024 }, (_, i) => Math.sin(seed * 1000 + i) / 16);
}

function store(key = KEY, dir = mkdtempSync(join(tmpdir(), "ws-tpl-"))) {
  const s = new TemplateStore(dir, key);
  s.start();
  return s;
}

describe("encrypted template store", () => {
  it("round-trips a person's templates and their consent reference", () => {
    const s = store();
    s.put({ personId: "w-1", embeddings: [embedding(1), embedding(2)], enrolledAt: 5, consent: "form-9" });
    const t = s.get("w-1");
    expect(t?.consent).toBe("form-9");
    expect(t?.embeddings.map((e) => Array.from(e))).toEqual([
      Array.from(embedding(1)),
      Array.from(embedding(2)),
    ]);
  });

  it("a template file is unreadable without the key, and shows neither the person nor the numbers", () => {
    const s = store();
    const e = embedding(3);
    s.put({ personId: "worker-secret-id", embeddings: [e], enrolledAt: 1, consent: "c" });
    const [file] = readdirSync(s.dir);
    const bytes = readFileSync(join(s.dir, file as string));
    expect(bytes.includes(Buffer.from("worker-secret-id"))).toBe(false);
    expect(file).not.toContain("worker");
    // no 16-byte run of the plaintext floats appears in the file
    const plain = Buffer.from(e.buffer);
    for (let i = 0; i + 16 <= plain.length; i += 512)
      expect(bytes.includes(plain.subarray(i, i + 16))).toBe(false);
    const wrong = store(OTHER, s.dir);
    const bad: string[] = [];
    expect(wrong.loadAll((f, err) => bad.push(`${f}:${err.code}`))).toEqual([]);
    expect(bad).toEqual([`${file}:FACE_TEMPLATES_UNREADABLE`]);
    expect(() => wrong.get("worker-secret-id")).not.toThrow();
    try {
      new TemplateStore(s.dir, OTHER).get("worker-secret-id");
    } catch (err) {
      expect(isStationError(err, "FACE_TEMPLATES_UNREADABLE")).toBe(true);
    }
  });

  it("a file renamed to another person's name does not open as them; a tampered byte fails authentication", () => {
    const s = store();
    s.put({ personId: "alice", embeddings: [embedding(4)], enrolledAt: 1, consent: "c" });
    const from = join(s.dir, templateFileName(KEY, "alice"));
    renameSync(from, join(s.dir, templateFileName(KEY, "bob")));
    expect(() => s.get("bob")).toThrow(/authentication/);
    s.put({ personId: "carol", embeddings: [embedding(5)], enrolledAt: 1, consent: "c" });
    const carol = join(s.dir, templateFileName(KEY, "carol"));
    const b = readFileSync(carol);
    b[b.length - 1] = (b[b.length - 1] as number) ^ 1;
    writeFileSync(carol, b);
    expect(() => s.get("carol")).toThrow(/authentication/);
  });

  it("remove erases the file; a second remove says there was nothing", () => {
    const s = store();
    s.put({ personId: "dave", embeddings: [embedding(6)], enrolledAt: 1, consent: "c" });
    expect(s.remove("dave")).toBe(true);
    expect(readdirSync(s.dir)).toEqual([]);
    expect(s.get("dave")).toBeUndefined();
    expect(s.remove("dave")).toBe(false);
  });
});
