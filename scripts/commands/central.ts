import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateCentralKey } from "../central/keys.ts";
import { afterDelta, listEnvelopes, listHash, readEntries } from "../central/lists.ts";
import { sendAndWait } from "../central/send.ts";
import { commandEnvelope, loadSigningKey, signEnvelope } from "../central/sign.ts";
import { progress } from "../cli/output.ts";
import { type Command, usageError } from "./usage.ts";

export const CENTRAL_USAGE = `central keygen --kid KID [--out DIR]
  central list full|delta --key FILE --kid KID --station ID --version N --entries FILE.json
               --key-fingerprint FP (of the credential key the entries are hashed under)
               [--base N --previous FILE.json --remove FILE.json] [--chunk N] [--broker URL]
               signs a credential list (chunks of --chunk entries, 500); prints the messages, or
               with --broker sends each chunk to credentials and waits for its reply
  central sign NAME --key FILE --kid KID --station ID [--args JSON] [--lifetime S]
  central send NAME --key FILE --kid KID --station ID --broker URL [--args JSON] [--lifetime S]
               [--timeout S] [--topic-root waystation/v1] [--username U --password P]`;

const SIGN_OPTIONS = {
  key: { type: "string" },
  kid: { type: "string" },
  station: { type: "string" },
  args: { type: "string", default: "{}" },
  lifetime: { type: "string", default: "300" },
  broker: { type: "string" },
  timeout: { type: "string", default: "15" },
  "topic-root": { type: "string", default: "waystation/v1" },
  username: { type: "string" },
  password: { type: "string" },
  out: { type: "string", default: "." },
  version: { type: "string" },
  base: { type: "string" },
  entries: { type: "string" },
  previous: { type: "string" },
  remove: { type: "string" },
  chunk: { type: "string", default: "500" },
  "key-fingerprint": { type: "string" },
} as const;

function jsonObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw usageError(`--args is not JSON: ${text}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw usageError("--args must be a JSON object");
  return v as Record<string, unknown>;
}

function fingerprintOf(text: string): string {
  if (!/^[0-9a-f]{16}$/.test(text))
    throw usageError(
      `--key-fingerprint: 16 hex digits, as credential-key-rotate status or provisioning prints it (got ${text})`,
    );
  return text;
}

function need(value: string | undefined, what: string): string {
  if (!value) throw usageError(`central: ${what} is needed\n${CENTRAL_USAGE}`);
  return value;
}

/** The central server's side, for a technician or a developer: keys, signed commands, sending them. */
export const central: Command = async (argv) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: SIGN_OPTIONS });
  const [verb, name] = positionals;
  if (verb === "keygen") {
    const kid = need(values.kid, "--kid");
    const k = generateCentralKey(kid, values.out ?? ".");
    process.stdout.write(
      `private key (keep it on the central server, never on a station): ${k.privateFile}\n` +
        `${k.publicPem}\npin it in the station file:\nremote:\n  keys:\n${k.pin}\n`,
    );
    return 0;
  }
  if (verb === "list") return sendList(name, values);
  if (verb !== "sign" && verb !== "send") throw usageError(CENTRAL_USAGE);
  const station = need(values.station, "--station");
  const key = loadSigningKey(need(values.key, "--key"), need(values.kid, "--kid"));
  const envelope = commandEnvelope({
    station,
    name: need(name, "the command NAME"),
    args: jsonObject(values.args ?? "{}"),
    lifetimeS: Number(values.lifetime),
  });
  const message = JSON.stringify(signEnvelope(envelope, key));
  if (verb === "sign") {
    process.stdout.write(`${message}\n`);
    process.stderr.write(`id ${envelope.id}: publish it to ${values["topic-root"]}/${station}/cmd/${name}\n`);
    return 0;
  }
  const base = `${values["topic-root"]}/${station}`;
  const reply = await sendAndWait({
    broker: need(values.broker, "--broker"),
    topic: `${base}/cmd/${name}`,
    payload: message,
    replyTopic: `${base}/reply/${envelope.id}`,
    timeoutMs: Number(values.timeout) * 1000,
    username: values.username,
    password: values.password,
  });
  process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
  return reply.status === "ok" ? 0 : 1;
};

type Values = ReturnType<
  typeof parseArgs<{ options: typeof SIGN_OPTIONS; allowPositionals: true }>
>["values"];

async function sendList(type: string | undefined, values: Values): Promise<number> {
  if (type !== "full" && type !== "delta") throw usageError(`central list full|delta ...\n${CENTRAL_USAGE}`);
  const station = need(values.station, "--station");
  const key = loadSigningKey(need(values.key, "--key"), need(values.kid, "--kid"));
  const entries = readEntries(need(values.entries, "--entries"));
  const remove = values.remove ? (JSON.parse(readFileSync(values.remove, "utf8")) as string[]) : [];
  const result =
    type === "full"
      ? entries
      : afterDelta(readEntries(need(values.previous, "--previous (the list at --base)")), entries, remove);
  const envelopes = listEnvelopes({
    station,
    type,
    listVersion: Number(need(values.version, "--version")),
    baseVersion: type === "delta" ? Number(need(values.base, "--base")) : undefined,
    entries,
    remove,
    listHash: listHash(result),
    keyFingerprint: fingerprintOf(need(values["key-fingerprint"], "--key-fingerprint")),
    perChunk: Number(values.chunk),
  });
  const base = `${values["topic-root"]}/${station}`;
  let last: Record<string, unknown> = {};
  // each chunk waits for the station's reply: a long list takes a while, show how far it is
  const bar = values.broker ? progress("applying", envelopes.length) : undefined;
  for (const [n, env] of envelopes.entries()) {
    const message = JSON.stringify(signEnvelope(env, key));
    if (!values.broker) {
      process.stdout.write(`${message}\n`);
      continue;
    }
    last = await sendAndWait({
      broker: values.broker,
      topic: `${base}/credentials`,
      payload: message,
      replyTopic: `${base}/reply/${env.id}`,
      timeoutMs: Number(values.timeout) * 1000,
      username: values.username,
      password: values.password,
    });
    bar?.tick(n + 1, "chunks");
    if (last.status !== "ok") break;
  }
  bar?.end(last.status === "ok" ? `${envelopes.length} chunk(s) applied` : `stopped: ${String(last.code)}`);
  if (!values.broker) {
    process.stderr.write(`${envelopes.length} message(s): publish each to ${base}/credentials\n`);
    return 0;
  }
  process.stdout.write(`${JSON.stringify(last, null, 2)}\n`);
  return last.status === "ok" ? 0 : 1;
}
