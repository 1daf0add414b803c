import type { Logger } from "pino";
import type { CardReader, CredentialRead, ReaderStatus } from "../../device/ports/card-reader.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { CredentialStore } from "./credential-store.ts";
import { decide } from "./decide.ts";

export interface Door {
  grant(): void;
}

/**
 * Turns reads into decisions. The path from a complete read to the lock command is synchronous:
 * nothing else on the event loop can queue in front of a worker at the door.
 */
export class AccessController {
  private readonly unsubscribers: (() => void)[] = [];
  private readonly online = new Map<string, boolean>();

  constructor(
    private readonly readers: readonly CardReader[],
    private readonly store: CredentialStore,
    private readonly door: Door,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    for (const reader of this.readers) {
      this.unsubscribers.push(
        reader.onRead((read) => this.onRead(reader, read)),
        reader.onStatus((status) => this.onStatus(status)),
      );
      this.online.set(reader.id, false);
      await reader.start();
    }
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    for (const reader of this.readers) await reader.stop();
  }

  readerStates(): Record<string, "online" | "offline"> {
    return Object.fromEntries([...this.online].map(([id, up]) => [id, up ? "online" : "offline"]));
  }

  onRead(reader: CardReader, read: CredentialRead): void {
    const decision = decide(this.store.lookup(read.credential));
    const base = { readerId: read.readerId, credential: read.credential, format: read.format };
    // The decision is recorded before its consequence, so `events` reads grant -> unlock.
    if (decision.granted) {
      this.bus.emit("access.granted", { ...base, personId: decision.personId, reason: "granted" });
      this.door.grant();
    } else {
      this.bus.emit("access.denied", { ...base, reason: decision.reason });
    }
    reader.signal(decision.granted ? "grant" : "deny");
    this.log.info(
      { readerId: read.readerId, cred: read.credential.slice(0, 12), reason: decision.reason },
      decision.granted ? "access granted" : "access denied",
    );
  }

  private onStatus(status: ReaderStatus): void {
    if (status.type === "unsupported-card") {
      this.bus.emit("reader.unsupported-card", { readerId: status.readerId, detail: status.detail });
      return;
    }
    this.online.set(status.readerId, status.type === "online");
    this.bus.emit(`reader.${status.type}`, {
      readerId: status.readerId,
      ...(status.detail === undefined ? {} : { detail: status.detail }),
    });
  }
}
