import { copyFileSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { type ConfigIssue, parseConfigText } from "../../config/load.ts";
import { type CommandSpec, defineCommand } from "../subsystem.ts";

/** What the console's config page needs: the file, a check, and the command that saves. */
export interface ConfigEditor {
  readonly file: string;
  /** the command that saves (through the command runner, audited) */
  readonly command: string;
  read(): string;
  check(text: string): ConfigIssue[];
}

export const CONFIG_SAVE = "config-save";

export function configEditor(file: string): ConfigEditor {
  const path = resolve(file);
  return {
    file: path,
    command: CONFIG_SAVE,
    read: () => readFileSync(path, "utf8"),
    check: (text) => {
      const r = parseConfigText(text, dirname(path));
      return r.ok ? [] : r.issues;
    },
  };
}

/**
 * Save the station file: the whole text, checked against the schema first (a file with any
 * issue is refused with every issue and its line, nothing written). The old file is kept as
 * `<file>.bak`; the new one is written beside it and renamed over, so a power cut leaves one or
 * the other, never half. The station runs on what it started with until it is restarted: the
 * lock's settings must not change under a running door.
 */
export function configSaveCommand(editor: ConfigEditor): CommandSpec {
  return defineCommand({
    name: CONFIG_SAVE,
    summary: "replace the station file with a checked text (takes effect at the next restart)",
    args: z.object({ text: z.string().min(1).max(200_000) }).strict(),
    run: async ({ text }) => {
      const issues = editor.check(text);
      if (issues.length > 0) return { status: "error", code: "CONFIG_INVALID", data: { issues } };
      const tmp = `${editor.file}.tmp`;
      // the file keeps its mode (often root-owned, group-readable by the service user)
      writeFileSync(tmp, text, { mode: statSync(editor.file).mode & 0o777 });
      copyFileSync(editor.file, `${editor.file}.bak`);
      renameSync(tmp, editor.file);
      return { status: "ok", code: "SAVED", data: { file: editor.file, restartNeeded: true } };
    },
  });
}
