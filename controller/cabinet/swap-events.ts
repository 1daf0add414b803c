import type { Logger } from "pino";
import type { EventBus } from "../events/event-bus.ts";
import type { SwapEffect } from "./swap-machine.ts";

/** Who a swap is for, as its events name them. */
export interface SwapParty {
  readonly credential: string;
  readonly personId: string | undefined;
}

/**
 * One effect of the swap machine carried out: the contract's `swap.*` event, or the unlock of a
 * slot (through `unlock`, on the cabinet's bus). A resume is logged as well.
 */
export function applySwapEffect(
  e: SwapEffect,
  who: SwapParty,
  out: { bus: EventBus; log: Logger; unlock: (slot: number) => void },
): void {
  const { credential, personId } = who;
  const { bus } = out;
  switch (e.type) {
    case "unlock":
      out.unlock(e.slot);
      return;
    case "started":
      bus.emit("swap.started", {
        swapId: e.swapId,
        credential,
        ...(personId ? { personId } : {}),
        depositSlot: e.depositSlot,
      });
      return;
    case "refused":
      bus.emit("swap.refused", { credential, reason: e.reason });
      return;
    case "deposited":
      bus.emit("swap.deposited", { swapId: e.swapId, battery: e.battery });
      return;
    case "issuing":
      return;
    case "completed":
      bus.emit("swap.completed", {
        swapId: e.swapId,
        ...(personId ? { personId } : {}),
        deposited: e.deposited,
        issued: e.issued,
        doorLeftOpen: e.doorLeftOpen,
      });
      return;
    case "failed":
      bus.emit("swap.failed", { swapId: e.swapId, reason: e.reason, step: e.step });
      return;
    case "warning":
      bus.emit("swap.warning", { swapId: e.swapId, warning: e.warning, slot: e.slot });
      return;
    case "resumed":
      out.log.info({ swapId: e.swapId, step: e.step }, "swap resumed after a restart");
      bus.emit("swap.resumed", { swapId: e.swapId, step: e.step });
      return;
  }
}
