import { findPcscdTools, PCSCD_INSTALL, PrivatePcscd } from "../../scripts/pcscd.ts";
import type { SimPcscStack } from "../../scripts/readers.ts";
import { type Daemon, daemon } from "./real-stack.ts";

/** pcscd and the vpcd driver, as realStackAvailable() wants them. */
export const pcscdDaemon: Daemon = daemon("pcscd", "pcscd vsmartcard-vpcd");

const tools = findPcscdTools();
/** the vpcd driver, and a mount namespace for a pcscd of the test's own */
export const vpcdDriver: Daemon = {
  name: "vsmartcard-vpcd",
  path: tools.ok ? tools.tools.vpcdDriver : undefined,
  install: tools.ok || tools.reason.includes("not installed") ? PCSCD_INSTALL : tools.reason,
};

/** A private pcscd with vpcd for one test file, and the stack handle boot takes. */
export function privatePcscd(): { daemon: PrivatePcscd; stack: SimPcscStack } {
  if (!tools.ok) throw new Error(tools.reason);
  const d = new PrivatePcscd(tools.tools);
  return {
    daemon: d,
    stack: {
      socketPath: d.socketPath,
      get readers() {
        return d.readers();
      },
      how: "the test's own pcscd",
      stop: async () => {},
    },
  };
}
