import { z } from "zod";
import type { FaceRequest, FaceResults } from "../../device/face/protocol.ts";
import type { CredentialStore, Role } from "../access/credential-store.ts";
import { RoleSchema } from "../contract/access-events.ts";
import type { EventBus } from "../events/event-bus.ts";
import { type CommandSpec, defineCommand } from "../subsystem.ts";
import type { FaceKeys } from "./face-keys.ts";

type Op = Exclude<FaceRequest["op"], "init">;
type Args<K extends FaceRequest["op"]> = Omit<Extract<FaceRequest, { op: K }>, "id" | "op">;

export interface FaceCommandDeps {
  request<K extends Op>(op: K, args: Args<K>): Promise<FaceResults[K]>;
  readonly credentials: CredentialStore;
  keys(): FaceKeys | undefined;
  readonly bus: EventBus;
}

const personId = z.string().min(1).max(128);

/**
 * The face module's commands, for the command router (signed remote envelopes, console, CLI).
 * `face-enrol` carries images (base64) or a kiosk's embedding, and the consent it was given
 * under; `forget-person` erases the person's templates and every credential, and answers when done.
 */
export function faceCommands(deps: FaceCommandDeps): CommandSpec[] {
  return [
    defineCommand({
      name: "face-enrol",
      summary: "enrol a person's face from images or a kiosk's embedding, with the consent recorded",
      args: z
        .object({
          personId,
          consent: z
            .string()
            .min(1)
            .max(512)
            .describe("reference of the consent record (form id, kiosk session)"),
          images: z.array(z.base64()).min(1).max(8).optional(),
          embedding: z.array(z.number()).length(1024).optional(),
          faceEntry: z
            .boolean()
            .default(true)
            .describe("let the person in by face alone (else: card plus face)"),
          role: RoleSchema.default("worker"),
        })
        .strict()
        .refine((a) => a.images !== undefined || a.embedding !== undefined, "images or an embedding"),
      run: async (a) => {
        const keys = deps.keys();
        if (!keys) return { status: "error", code: "FACE_UNAVAILABLE" };
        try {
          const r = await deps.request("enrol", {
            personId: a.personId,
            consent: a.consent,
            ...(a.images ? { frames: a.images.map((b) => new Uint8Array(Buffer.from(b, "base64"))) } : {}),
            ...(a.embedding ? { embedding: a.embedding } : {}),
          });
          if (a.faceEntry) addFaceCredential(deps.credentials, keys, a.personId, a.role);
          deps.bus.emit("face.enrolled", {
            personId: a.personId,
            templates: r.templates,
            consent: a.consent,
          });
          return { status: "ok", data: { templates: r.templates } };
        } catch (err) {
          return { status: "error", code: (err as { code?: string }).code ?? "FACE_ENGINE" };
        }
      },
    }),
    defineCommand({
      name: "forget-person",
      summary: "erase a person's face templates and credentials from this station",
      args: z.object({ personId }).strict(),
      run: async (a) => {
        let templatesRemoved = false;
        try {
          templatesRemoved = (await deps.request("forget", { personId: a.personId })).removed;
        } catch (err) {
          // Never answer "done" while the templates may still be on disk.
          return { status: "error", code: (err as { code?: string }).code ?? "FACE_UNAVAILABLE" };
        }
        const credentialsRemoved = deps.credentials.removePerson?.(a.personId) ?? 0;
        deps.bus.emit("face.forgotten", { personId: a.personId, templatesRemoved, credentialsRemoved });
        return { status: "ok", data: { templatesRemoved, credentialsRemoved } };
      },
    }),
  ];
}

export function addFaceCredential(
  store: CredentialStore,
  keys: FaceKeys,
  personId: string,
  role: Role,
): void {
  store.upsert?.(
    [{ credential: keys.faceCredential(personId), personId, role, status: "active", secondFactor: false }],
    "face",
  );
}
