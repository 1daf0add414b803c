import { z } from "zod";
import type { Person } from "./power/occupant.ts";
import type { Principal } from "./subsystem.ts";

/** Who acted, for an event's `by`: `central:<keyId>`, or `console:<user>` / `cli:<user>`. */
export function principalName(p: Principal): string {
  return p.kind === "central" ? `central:${p.keyId}` : `${p.via}:${p.user ?? "local"}`;
}

/** A command's optional worker: a credential hash, with the person's id when known. */
export const personArgs = {
  credential: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  personId: z.string().optional(),
};

export function personFrom(a: {
  credential?: string | undefined;
  personId?: string | undefined;
}): Person | undefined {
  return a.credential
    ? { credential: a.credential, ...(a.personId ? { personId: a.personId } : {}) }
    : undefined;
}
