import { z } from "zod";

const user = z.string().describe("the console user's name (never a password)");
const role = z.enum(["technician", "viewer"]);

/** Who logged in to the technician console, who was locked out, and who asked for what. */
export const consoleEvents = {
  "console.login": z.object({ user, role }).describe("a console user logged in"),
  "console.lockout": z
    .object({
      user: z.string().describe("the name that was tried (it may not exist)"),
      failures: z.number().int().min(1).describe("consecutive wrong passwords for this name"),
      lockedForS: z.number().int().min(1),
      address: z.string().describe("the client address of the last attempt"),
    })
    .describe("repeated wrong passwords: the name is locked for a while (a security event)"),
} as const;
