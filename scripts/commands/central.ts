import { readFileSync } from "node:fs";
import { generateCentralKey } from "../central/keys.ts";
import { afterDelta, listEnvelopes, listHash, readEntries } from "../central/lists.ts";
import { sendAndWait } from "../central/send.ts";
import { commandEnvelope, loadSigningKey, signEnvelope } from "../central/sign.ts";
import { progress } from "../cli/output.ts";
import { usageError } from "./usage.ts";

export const CENTRAL_USAGE = `central keygen --kid KID [--out DIR]
  central list full|delta --key FILE --kid KID --station ID --version N --entries FILE.json
               [--base N --previous FILE.json --remove FILE.json] [--chunk N] [--broker URL]
               signs a credential list (chunks of --chunk entries, 500); prints the messages, or
               with --broker sends each chunk to credentials and waits for its reply
  central sign NAME --key FILE --kid KID --station ID [--args JSON] [--lifetime S]
  central send NAME --key FILE --kid KID --station ID --broker URL [--args JSON] [--lifetime S]
               [--timeout S] [--topic-root waystation/v1] [--username U --password P]`;

/** The options of `central ...` as commander hands them over (scripts/cli/register-config.ts). */
export interface CentralOptions {
  key?: string;
  kid?: string;
  station?: string;
  args?: string;
  lifetime?: string;
  broker?: string;
  timeout?: string;
  topicRoot?: string;
  username?: string;
  password?: string;
  out?: string;
  version?: string;
  base?: string;
  entries?: string;
  previous?: string;
  remove?: string;
  chunk?: string;
}

/** A whole number a user typed, or a usage error naming the option. */
function whole(value: string | undefined, option: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw usageError(`${option} is a whole number, ${min} or more: "${value}"`);
  return n;
}

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

function need(value: string | undefined, what: string): string {
  if (!value) throw usageError(`central: ${what} is needed\n${CENTRAL_USAGE}`);
  return value;
}

/** `central keygen`: a key pair; the private half stays on the central server. */
export async function keygen(values: CentralOptions): Promise<number> {
  const kid = need(values.kid, "--kid");
  const k = generateCentralKey(kid, values.out ?? ".");
  process.stdout.write(
    `private key (keep it on the central server, never on a station): ${k.privateFile}\n` +
      `${k.publicPem}\npin it in the station file:\nremote:\n  keys:\n${k.pin}\n`,
  );
  return 0;
}

/** `central sign|send NAME`: one signed command, printed, or sent and its reply awaited. */
export async function signOrSend(
  verb: "sign" | "send",
  name: string,
  values: CentralOptions,
): Promise<number> {
  const station = need(values.station, "--station");
  const key = loadSigningKey(need(values.key, "--key"), need(values.kid, "--kid"));
  const envelope = commandEnvelope({
    station,
    name: need(name, "the command NAME"),
    args: jsonObject(values.args ?? "{}"),
    lifetimeS: whole(values.lifetime ?? "300", "--lifetime", 1),
  });
  const message = JSON.stringify(signEnvelope(envelope, key));
  if (verb === "sign") {
    process.stdout.write(`${message}\n`);
    process.stderr.write(`id ${envelope.id}: publish it to ${values.topicRoot}/${station}/cmd/${name}\n`);
    return 0;
  }
  const base = `${values.topicRoot}/${station}`;
  const reply = await sendAndWait({
    broker: need(values.broker, "--broker"),
    topic: `${base}/cmd/${name}`,
    payload: message,
    replyTopic: `${base}/reply/${envelope.id}`,
    timeoutMs: whole(values.timeout ?? "15", "--timeout", 1) * 1000,
    username: values.username,
    password: values.password,
  });
  process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
  return reply.status === "ok" ? 0 : 1;
}

/** `central list full|delta`: a signed credential list in chunks, printed or sent chunk by chunk. */
export async function sendList(type: string | undefined, values: CentralOptions): Promise<number> {
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
    listVersion: whole(need(values.version, "--version"), "--version", 0),
    baseVersion: type === "delta" ? whole(need(values.base, "--base"), "--base", 0) : undefined,
    entries,
    remove,
    listHash: listHash(result),
    perChunk: whole(values.chunk ?? "500", "--chunk", 1),
  });
  const base = `${values.topicRoot}/${station}`;
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
      timeoutMs: whole(values.timeout ?? "15", "--timeout", 1) * 1000,
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
