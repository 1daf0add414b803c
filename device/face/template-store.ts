import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { StationError } from "../../config/errors.ts";
import { open, seal, templateFileName } from "./template-crypto.ts";

export interface PersonTemplates {
  readonly personId: string;
  readonly embeddings: Float32Array[];
  /** epoch ms of the enrolment, and whose consent it was given under */
  readonly enrolledAt: number;
  readonly consent: string;
}

/**
 * One encrypted file per person in its own directory, apart from the credential store (which holds
 * who a person is; this holds only a pseudonymous id and templates). Writes go to a temp file,
 * fsync, rename, fsync the directory: a power cut leaves the old file or the new one, never half.
 * Forgetting a person unlinks their file and syncs the directory.
 */
export class TemplateStore {
  constructor(
    readonly dir: string,
    private readonly key: Buffer,
  ) {}

  start(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // temp files a power cut left behind hold nothing usable: drop them
    for (const f of readdirSync(this.dir)) if (f.endsWith(".tmp")) rmSync(join(this.dir, f), { force: true });
  }

  /** Changes whenever a file is added, replaced or removed (by us or by the enrolment CLI). */
  version(): string {
    try {
      const s = statSync(this.dir);
      return `${s.mtimeMs}:${s.ino}:${readdirSync(this.dir).length}`;
    } catch {
      return "missing";
    }
  }

  /** Every person's templates; a file that fails to open is skipped and reported, never fatal. */
  loadAll(onBad: (file: string, err: StationError) => void = () => {}): PersonTemplates[] {
    const out: PersonTemplates[] = [];
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith(".tpl"));
    } catch {
      return out;
    }
    for (const f of files) {
      try {
        out.push(this.decode(f, readFileSync(join(this.dir, f))));
      } catch (err) {
        onBad(
          f,
          err instanceof StationError
            ? err
            : new StationError("FACE_TEMPLATES_UNREADABLE", "face", String(err)),
        );
      }
    }
    return out;
  }

  put(t: PersonTemplates): void {
    const name = templateFileName(this.key, t.personId);
    const sealed = seal(this.key, name, encode(t));
    const tmp = join(this.dir, `${name}.${process.pid}.tmp`);
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, sealed);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, name));
    this.syncDir();
  }

  get(personId: string): PersonTemplates | undefined {
    const name = templateFileName(this.key, personId);
    try {
      return this.decode(name, readFileSync(join(this.dir, name)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  /** Erase a person's templates; true when there were any. */
  remove(personId: string): boolean {
    const file = join(this.dir, templateFileName(this.key, personId));
    try {
      // overwrite before unlinking, so the blocks a plain unlink frees do not keep the ciphertext
      const size = statSync(file).size;
      const fd = openSync(file, "r+");
      try {
        writeSync(fd, Buffer.alloc(size), 0, size, 0);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      rmSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
    this.syncDir();
    return true;
  }

  private decode(file: string, bytes: Buffer): PersonTemplates {
    const t = decode(open(this.key, file, bytes));
    if (templateFileName(this.key, t.personId) !== file) {
      throw new StationError(
        "FACE_TEMPLATES_UNREADABLE",
        "face",
        `template file ${file} names another person`,
      );
    }
    return t;
  }

  private syncDir(): void {
    const fd = openSync(this.dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** The plaintext: a small JSON header line, then the float32 rows (little-endian). */
function encode(t: PersonTemplates): Buffer {
  const dim = t.embeddings[0]?.length ?? 0;
  const head = Buffer.from(
    `${JSON.stringify({ personId: t.personId, enrolledAt: t.enrolledAt, consent: t.consent, dim, count: t.embeddings.length })}\n`,
    "utf8",
  );
  const body = Buffer.alloc(dim * t.embeddings.length * 4);
  t.embeddings.forEach((e, i) => {
    for (let j = 0; j < dim; j++) body.writeFloatLE(e[j] as number, (i * dim + j) * 4);
  });
  return Buffer.concat([head, body]);
}

function decode(b: Buffer): PersonTemplates {
  const nl = b.indexOf(0x0a);
  const bad = () =>
    new StationError("FACE_TEMPLATES_UNREADABLE", "face", "a template file's contents are malformed");
  if (nl < 0) throw bad();
  let head: { personId?: unknown; enrolledAt?: unknown; consent?: unknown; dim?: unknown; count?: unknown };
  try {
    head = JSON.parse(b.subarray(0, nl).toString("utf8"));
  } catch {
    throw bad();
  }
  const { personId, enrolledAt, consent, dim, count } = head;
  if (typeof personId !== "string" || typeof dim !== "number" || typeof count !== "number") throw bad();
  if (b.length - nl - 1 !== dim * count * 4) throw bad();
  const embeddings: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const e = new Float32Array(dim);
    for (let j = 0; j < dim; j++) e[j] = b.readFloatLE(nl + 1 + (i * dim + j) * 4);
    embeddings.push(e);
  }
  return {
    personId,
    embeddings,
    enrolledAt: typeof enrolledAt === "number" ? enrolledAt : 0,
    consent: typeof consent === "string" ? consent : "",
  };
}
