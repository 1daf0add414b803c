import type { CatalogueEntry } from "./catalogue.ts";

/**
 * docs/troubleshooting.md, from the checks' own definitions (scripts/doctor/catalogue.ts): each
 * check, who runs it, and each way it fails with its fix. Regenerate with
 * `waystation doctor --troubleshooting --write`; a test keeps the file in sync.
 */
export function troubleshootingMarkdown(entries: readonly CatalogueEntry[]): string {
  const out = [
    "<!-- Generated from the doctor checks' definitions by `waystation doctor --troubleshooting --write`. Do not edit: change the checks and regenerate. -->",
    "",
    "# Troubleshooting / 故障排查",
    "",
    "Run `sudo waystation doctor` first (`--json` for scripts). Every line it prints is one of the",
    "checks below: `PASS`, `FAIL` with a `fix:` line, or `SKIP` when it does not apply here.",
    "A check whose id names a reader, bus or device (`entrance.reader.entry`, `modbus.rs485`) is",
    "run once per configured device; the ids below are the demo station's.",
    "",
    "先运行 `sudo waystation doctor`。每一行对应下面的一项检查：`PASS` 通过，`FAIL` 失败并给出",
    "`fix:` 修复方法，`SKIP` 表示此处不适用。退出码：0 全部通过，1 有检查失败，2 站点配置文件无效。",
    "",
    "| Check | id | Run by |",
    "| --- | --- | --- |",
    ...entries.map((e) => `| [${e.title}](#${anchor(e.id)}) | \`${e.id}\` | ${e.where} |`),
    "",
  ];
  for (const e of entries) {
    out.push(`## ${e.title}`, "", `<a id="${anchor(e.id)}"></a>id \`${e.id}\`, run by ${e.where}.`, "");
    if (e.causes.length === 0) {
      out.push("Its fix depends on what it finds: doctor prints it on the `fix:` line.", "");
      continue;
    }
    out.push("| When it fails | What to do |", "| --- | --- |");
    for (const c of e.causes) out.push(`| ${cell(c.cause)} | ${cell(c.hint)} |`);
    out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function anchor(id: string): string {
  return `check-${id.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
}

/** A table cell: pipes escaped, commands kept as code. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}
