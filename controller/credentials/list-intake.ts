import type { Logger } from "pino";
import { CredentialListEnvelopeSchema } from "../contract/command-wire.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { CommandIntake, SignedHandler } from "../remote/command-intake.ts";
import type { CommandReply } from "../remote/command-router.ts";
import type { CredentialLists } from "./credential-lists.ts";
import { listKeyRefusal } from "./list-keys.ts";

/**
 * The `credentials` topic: a signed list or one chunk of it. Each chunk is verified like a
 * command (key, signature, station, window, nonce) before it is staged; the list is applied only
 * when every chunk is in, in one transaction, and only if its hash matches the signed one. A
 * delta that does not follow the active version is refused with a request for a full list.
 */
export function credentialListHandler(
  intake: CommandIntake,
  lists: CredentialLists,
  bus: EventBus,
  log: Logger,
  changed: () => void,
): SignedHandler {
  return async (payload) => {
    const v = intake.verify(payload, CredentialListEnvelopeSchema);
    if (!v.ok) return intake.refuse({ ...v, name: "credentials" });
    const env = v.env;
    const refuse = (code: string, detail: string, data: Record<string, unknown> = {}): CommandReply => {
      bus.emit("credentials.list-rejected", {
        commandId: env.id,
        listVersion: env.listVersion,
        listType: env.type,
        code,
        detail,
      });
      log.warn({ code, detail, listVersion: env.listVersion, type: env.type }, "credential list refused");
      return { id: env.id, status: "error", code, data: { detail, ...data } };
    };
    const keyed = listKeyRefusal(lists.keys(), env.keyFingerprint, env.type);
    if (keyed) return refuse(keyed.code, keyed.detail, keyed.data);
    const current = lists.status();
    if (env.type === "delta" && env.baseVersion !== current.listVersion) {
      return refuse(
        "LIST_GAP",
        `delta on version ${env.baseVersion}; the station has ${current.listVersion}`,
        {
          listVersion: current.listVersion,
          request: "full",
        },
      );
    }
    if (env.listVersion <= current.listVersion) {
      return refuse("LIST_STALE", `version ${env.listVersion} is not newer than ${current.listVersion}`, {
        listVersion: current.listVersion,
      });
    }
    if (lists.isApplying) return refuse("LIST_BUSY", "a list is being applied; send this again shortly");
    const spent = v.spend();
    if (spent) return intake.refuse({ ...spent, name: "credentials" });
    let staged: ReturnType<CredentialLists["stage"]>;
    try {
      staged = lists.stage(env);
    } catch (err) {
      log.error({ err }, "cannot stage a credential list chunk");
      return refuse("LIST_APPLY_FAILED", "the chunk could not be stored");
    }
    changed();
    if (!staged.complete) {
      return {
        id: env.id,
        status: "ok",
        code: "CHUNK_STORED",
        data: { received: staged.received, count: staged.count },
      };
    }
    const result = await lists.apply(env.listVersion, env.type);
    changed();
    if (!result.ok) return refuse(result.code, result.detail);
    bus.emit("credentials.list-applied", {
      listVersion: result.listVersion,
      listType: env.type,
      listHash: result.listHash,
      listCount: result.listCount,
      keyFingerprint: result.keyFingerprint,
      applied: result.applied,
      durationMs: result.durationMs,
      principal: `central:${v.kid}`,
    });
    log.info(
      { listVersion: result.listVersion, count: result.listCount, ms: result.durationMs },
      "credential list applied",
    );
    return {
      id: env.id,
      status: "ok",
      code: "OK",
      data: {
        listVersion: result.listVersion,
        listHash: result.listHash,
        listCount: result.listCount,
        keyFingerprint: result.keyFingerprint,
      },
    };
  };
}
