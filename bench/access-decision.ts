import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { AccessController } from "../controller/access/access-controller.ts";
import {
  type CredentialEntry,
  type CredentialStore,
  MemoryCredentialStore,
} from "../controller/access/credential-store.ts";
import { DoorController } from "../controller/door/door-controller.ts";
import { EventBus } from "../controller/events/event-bus.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import type { CardReader, CredentialRead, ReaderStatus } from "../device/ports/card-reader.ts";
import type { GpioEdge, GpioInput, GpioOutput } from "../device/ports/gpio.ts";
import { Listeners } from "../device/ports/listeners.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

/** The naive store a first attempt would write: scan the list for every read. */
class LinearCredentialStore implements CredentialStore {
  constructor(private readonly list: readonly { credential: string; personId: string }[]) {}
  lookup(credential: string): CredentialEntry | undefined {
    for (const e of this.list) if (e.credential === credential) return { personId: e.personId };
    return undefined;
  }
  get size(): number {
    return this.list.length;
  }
}

/** A lock output that timestamps the moment the controller commands it. */
class TimedRelay implements GpioOutput {
  readonly name = "lockRelay";
  private level = false;
  commandedAt = 0;
  async start() {}
  async stop() {}
  write(active: boolean) {
    if (active !== this.level) this.commandedAt = performance.now();
    this.level = active;
  }
  read() {
    return this.level;
  }
}

class QuietInput implements GpioInput {
  private readonly l = new Listeners<GpioEdge>();
  constructor(
    readonly name: string,
    private readonly level: boolean,
  ) {}
  async start() {}
  async stop() {}
  read() {
    return this.level;
  }
  onEdge(listener: (e: GpioEdge) => void) {
    return this.l.add(listener);
  }
}

class BenchReader implements CardReader {
  readonly id = "entry";
  readonly reads = new Listeners<CredentialRead>();
  async start() {}
  async stop() {}
  onRead(l: (r: CredentialRead) => void) {
    return this.reads.add(l);
  }
  onStatus(_l: (s: ReaderStatus) => void) {
    return () => {};
  }
  signal() {}
}

/** p99 of read -> lock command over `samples` grants, through the real access and door code. */
async function measure(
  store: CredentialStore,
  credentials: readonly string[],
  samples: number,
): Promise<number> {
  const clock = new ManualClock();
  const relay = new TimedRelay();
  const log = pino({ level: "silent" });
  // Events are serialised as the MQTT sink would; the network itself is not part of this path.
  const bus = new EventBus("bench", "boot", clock, () => {});
  let bytes = 0;
  bus.subscribe((e) => {
    bytes += JSON.stringify(e).length;
  });
  const hw = {
    clock,
    lockRelay: relay,
    doorContact: new QuietInput("c", true),
    exitButton: new QuietInput("e", false),
  };
  const door = new DoorController(
    hw,
    { unlockMs: 5000, maxOpenMs: 30000, relockDelayMs: 0 },
    "fail-secure",
    bus,
    log,
  );
  const reader = new BenchReader();
  const access = new AccessController([reader], store, door, bus, log);
  await door.start();
  await access.start();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const credential = credentials[Math.floor(Math.random() * credentials.length)] ?? "";
    const t0 = performance.now();
    reader.reads.emit({
      readerId: "entry",
      kind: "card-uid",
      credential,
      format: "uid-4",
      atMs: clock.monotonic(),
    });
    times.push(relay.commandedAt - t0);
    clock.advance(5000); // the grant window runs out and the door relocks
  }
  await access.stop();
  await door.stop();
  if (bytes === 0) throw new Error("no events were produced");
  times.sort((a, b) => a - b);
  return percentile(times, 99);
}

export async function benchAccessDecision(sizes: readonly number[]): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of sizes) {
    const list = Array.from({ length: n }, (_, i) => ({
      credential: randomBytes(32).toString("hex"),
      personId: `p${i}`,
    }));
    const credentials = list.map((e) => e.credential);
    const ours = await measure(new MemoryCredentialStore(list), credentials, 5000);
    const naive = await measure(new LinearCredentialStore(list), credentials, n >= 1_000_000 ? 200 : 1000);
    out.push(
      result(
        {
          name: "access.decision",
          metric: "p99_ms",
          value: round(ours, 4),
          unit: "ms",
          params: { credentials: n, store: "memory hash map" },
          baseline: { name: "linear scan of the same list", value: round(naive, 4) },
        },
        { budget: 1 },
      ),
    );
  }
  return out;
}
