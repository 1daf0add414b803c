import type { CommandReply } from "../remote/command-router.ts";

export type { CommandReply };

/**
 * What the control socket and the console need from whoever runs commands: the station's one
 * `CommandRouter` (controller/remote/command-router.ts), which remote commands go through too.
 */
export interface LocalCommandRunner {
  runLocal(
    name: string,
    rawArgs: unknown,
    via: "console" | "cli",
    id?: string,
    progress?: (line: string) => void,
  ): Promise<CommandReply>;
  /** a request that never named a command (bad JSON): refused and audited */
  rejectRequest(id: string | undefined, via: "console" | "cli", detail: string): CommandReply;
  list(): { name: string; summary: string }[];
}
