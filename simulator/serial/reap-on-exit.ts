import type { ChildProcess } from "node:child_process";

const children = new Set<ChildProcess>();
let hooked = false;

/**
 * Kill `child` when this process exits, however it exits short of SIGKILL: a second Ctrl-C or a
 * fault exits at once, without the stop that would end the simulator's socat and its ptys, and
 * they would otherwise outlive the station for ever. Returns the un-register.
 */
export function reapOnExit(child: ChildProcess): () => void {
  children.add(child);
  if (!hooked) {
    hooked = true;
    // "exit" listeners run synchronously, even on process.exit(): a signal is all there is time for.
    process.on("exit", () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
    });
  }
  const forget = () => children.delete(child);
  child.once("exit", forget);
  return () => {
    forget();
  };
}
