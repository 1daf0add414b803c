/**
 * The face check a credential may require. The face subsystem fills it; without one the module
 * counts as down, and the written degraded-mode policy (access.degraded.faceDown) decides.
 */
export interface SecondFactor {
  status(): "up" | "down";
  /** whether this person's face was matched at this station within the last `withinMs` */
  verified(personId: string, withinMs: number): boolean;
}

export const NO_FACE_MODULE: SecondFactor = { status: () => "down", verified: () => false };
