import { StationError } from "../../config/errors.ts";
import { generateCentralKey } from "../central/keys.ts";
import { afterDelta, listEnvelopes, listHash, readEntries, readRemovals } from "../central/lists.ts";
import { sendAndWait } from "../central/send.ts";
import { commandEnvelope, loadSigningKey, signEnvelope } from "../central/sign.ts";
import { progress } from "../cli/output.ts";

/**
 * The central server's side, for a technician or a developer: keys, signed commands and lists,
 * sending them. The options are commander's (scripts/cli/register-central.ts), already checked
 * there: numbers are numbers, the required ones are present.
 */

/** What every signing verb takes. */
export interface SigningOptions {
  key: string;
  kid: string;
  station: string;
  lifetime?: number | undefined;
  topicRoot: string;
}

/** What the verbs that publish take. */
export interface BrokerOptions {
  broker?: string | undefined;
  timeout: number;
  username?: string | undefined;
  password?: string | undefined;
}

export function keygen(opts: { kid: string; out: string; json?: boolean }): number {
  let k: ReturnType<typeof generateCentralKey>;
  try {
    k = generateCentralKey(opts.kid, opts.out);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "EEXIST") throw cause;
    throw new StationError("KEY_EXISTS", "cli", `a key named ${opts.kid} is already in ${opts.out}`, {
      cause,
      hint: "it was left as it is: choose another --kid (keys are rotated, never overwritten) or another --out",
    });
  }
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: true, kid: opts.kid, privateFile: k.privateFile, publicPem: k.publicPem, pin: k.pin.trim() })}\n`,
    );
    return 0;
  }
  process.stdout.write(
    `private key (keep it on the central server, never on a station): ${k.privateFile}\n` +
      `${k.publicPem}\npin it in the station file:\nremote:\n  keys:\n${k.pin}\n`,
  );
  return 0;
}

function jsonObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw argsError(`--args is not JSON: ${text}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw argsError("--args must be a JSON object");
  return v as Record<string, unknown>;
}

function argsError(message: string): StationError {
  return new StationError("CLI_USAGE", "cli", message, {
    hint: `a JSON object in single quotes, e.g. --args '{"active":true}'`,
  });
}

function signed(name: string, opts: SigningOptions & { args: string }) {
  const key = loadSigningKey(opts.key, opts.kid);
  const envelope = commandEnvelope({
    station: opts.station,
    name,
    args: jsonObject(opts.args),
    lifetimeS: opts.lifetime,
  });
  return { envelope, message: JSON.stringify(signEnvelope(envelope, key)) };
}

export function sign(name: string, opts: SigningOptions & { args: string }): number {
  const { envelope, message } = signed(name, opts);
  process.stdout.write(`${message}\n`);
  process.stderr.write(`id ${envelope.id}: publish it to ${opts.topicRoot}/${opts.station}/cmd/${name}\n`);
  return 0;
}

export async function send(
  name: string,
  opts: SigningOptions & BrokerOptions & { args: string; broker: string },
): Promise<number> {
  const { envelope, message } = signed(name, opts);
  const base = `${opts.topicRoot}/${opts.station}`;
  const reply = await sendAndWait({
    broker: opts.broker,
    topic: `${base}/cmd/${name}`,
    payload: message,
    replyTopic: `${base}/reply/${envelope.id}`,
    timeoutMs: opts.timeout * 1000,
    username: opts.username,
    password: opts.password,
  });
  process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
  return reply.status === "ok" ? 0 : 1;
}

export interface ListOptions extends SigningOptions, BrokerOptions {
  version: number;
  entries: string;
  keyFingerprint: string;
  chunk: number;
  base?: number | undefined;
  previous?: string | undefined;
  remove?: string | undefined;
}

/** A credential list, full or delta, signed chunk by chunk: printed, or sent and each reply awaited. */
export async function list(type: "full" | "delta", opts: ListOptions): Promise<number> {
  const key = loadSigningKey(opts.key, opts.kid);
  const entries = readEntries(opts.entries);
  const remove = opts.remove ? readRemovals(opts.remove) : [];
  const result = type === "full" ? entries : afterDelta(readEntries(opts.previous ?? ""), entries, remove);
  const envelopes = listEnvelopes({
    station: opts.station,
    type,
    listVersion: opts.version,
    baseVersion: type === "delta" ? opts.base : undefined,
    entries,
    remove,
    listHash: listHash(result),
    keyFingerprint: opts.keyFingerprint,
    perChunk: opts.chunk,
    ...(opts.lifetime === undefined ? {} : { lifetimeS: opts.lifetime }),
  });
  const base = `${opts.topicRoot}/${opts.station}`;
  let last: Record<string, unknown> = {};
  // each chunk waits for the station's reply: a long list takes a while, show how far it is
  const bar = opts.broker ? progress("applying", envelopes.length) : undefined;
  for (const [n, env] of envelopes.entries()) {
    const message = JSON.stringify(signEnvelope(env, key));
    if (!opts.broker) {
      process.stdout.write(`${message}\n`);
      continue;
    }
    last = await sendAndWait({
      broker: opts.broker,
      topic: `${base}/credentials`,
      payload: message,
      replyTopic: `${base}/reply/${env.id}`,
      timeoutMs: opts.timeout * 1000,
      username: opts.username,
      password: opts.password,
    });
    bar?.tick(n + 1, "chunks");
    if (last.status !== "ok") break;
  }
  bar?.end(last.status === "ok" ? `${envelopes.length} chunk(s) applied` : `stopped: ${String(last.code)}`);
  if (!opts.broker) {
    process.stderr.write(`${envelopes.length} message(s): publish each to ${base}/credentials\n`);
    return 0;
  }
  process.stdout.write(`${JSON.stringify(last, null, 2)}\n`);
  return last.status === "ok" ? 0 : 1;
}
