import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseConfigText } from "../config/load.ts";
import {
  type CommandSpec,
  defineCommand,
  type Subsystem,
  type SubsystemContext,
  type SubsystemFactory,
} from "../controller/subsystem.ts";
import { SUBSYSTEMS } from "../controller/subsystems.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { Listeners } from "../device/ports/listeners.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { freePort } from "./support/net.ts";

/**
 * The seam every capability joins through: Station starts the subsystems in list order after
 * the entrance, stops them in reverse, merges their snapshots into `state`, re-publishes on
 * their changes, hands their ports to the others, and collects their commands.
 */
const KEY = "cd".repeat(32);

class Probe implements Subsystem {
  readonly changes = new Listeners<void>();
  stopHangs = false;
  count = 0;
  // Named after the probe: the router refuses two subsystems claiming one command name.
  get commands() {
    this.bump ??= this.makeBump();
    return [this.bump];
  }
  private bump: CommandSpec | undefined;
  private makeBump() {
    return defineCommand({
      name: `${this.name}-bump`,
      summary: "adds n",
      args: z.object({ n: z.number().int() }),
      run: async ({ n }) => {
        this.count += n;
        this.changes.emit();
        return { status: "ok", data: { count: this.count } };
      },
    });
  }
  constructor(
    readonly name: string,
    private readonly log: string[],
    ctx: SubsystemContext,
    provideOccupancy: boolean,
  ) {
    if (provideOccupancy) ctx.ports.occupancy = { current: () => this.count };
  }
  async start() {
    this.log.push(`start ${this.name}`);
  }
  async stop() {
    this.log.push(`stop ${this.name}`);
    if (this.stopHangs) await new Promise(() => {});
  }
  snapshot() {
    return { probe: { count: this.count } } as never;
  }
  onChange(l: () => void) {
    return this.changes.add(l);
  }
}

const clock = new ManualClock();

async function boot(factories: readonly SubsystemFactory[]): Promise<BootedStation> {
  const dir = mkdtempSync(join(tmpdir(), "ws-seam-"));
  const r = parseConfigText(`station: { id: seam-test }
dataDir: ${dir}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
  readers: [{ id: entry, kind: simulated }]
door: { lockMode: fail-secure }
access: { capacity: 1 }
mqtt: { url: "mqtt://127.0.0.1:${await freePort()}", stateDebounceMs: 10 }
console: { enabled: false }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return bootStation({
    config: r.config,
    logger: pino({ level: "silent" }),
    secrets: { credentialKey: KEY },
    clock,
    subsystems: factories,
  });
}

describe("subsystems", () => {
  let booted: BootedStation | undefined;
  afterEach(async () => {
    await booted?.stop();
    booted = undefined;
  });

  it("start in list order after the entrance, stop in reverse; a hanging stop does not keep the lock waiting", async () => {
    const log: string[] = [];
    const probes: Probe[] = [];
    const make =
      (name: string): SubsystemFactory =>
      (ctx) => {
        const p = new Probe(name, log, ctx, false);
        probes.push(p);
        return p;
      };
    booted = await boot([...SUBSYSTEMS, make("a"), () => undefined, make("b")]);
    expect(booted.station.subsystems.map((s) => s.name)).toEqual(["entrance", "a", "b"]);
    expect(log).toEqual(["start a", "start b"]);
    const [, b] = probes;
    if (b) b.stopHangs = true;
    const stopping = booted.stop();
    booted = undefined;
    await stopping;
    expect(log).toEqual(["start a", "start b", "stop b", "stop a"]);
  }, 10_000);

  it("merges snapshots into state, re-publishes on change, and collects commands", async () => {
    const log: string[] = [];
    let probe: Probe | undefined;
    booted = await boot([
      ...SUBSYSTEMS,
      (ctx) => {
        probe = new Probe("probe", log, ctx, false);
        return probe;
      },
    ]);
    const station = booted.station;
    expect(station.state()).toMatchObject({ probe: { count: 0 }, door: { lock: "locked" } });
    const names = station.router.list().map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["fire-reset", "probe-bump"]));
    const r = await station.router.runLocal("probe-bump", { n: 3 }, "cli", "b1");
    expect(r).toEqual({ id: "b1", status: "ok", code: "OK", data: { count: 3 } });
    expect(station.state()).toMatchObject({ probe: { count: 3 } });
  });

  it("a port one subsystem provides is what the entrance's capacity rule reads", async () => {
    const log: string[] = [];
    let probe: Probe | undefined;
    booted = await boot([
      ...SUBSYSTEMS,
      (ctx) => {
        probe = new Probe("occupancy", log, ctx, true);
        return probe;
      },
    ]);
    const station = booted.station;
    const credential = booted.hasher("card-uid", Uint8Array.from([4, 1, 2, 3]));
    booted.store?.upsert([
      { credential, personId: "p1", role: "worker", status: "active", secondFactor: false },
    ]);
    const decisions: string[] = [];
    station.bus.subscribe((e) => {
      if (e.type === "access.granted") decisions.push("granted");
      if (e.type === "access.denied") decisions.push(`denied:${e.reason}`);
    });
    booted.sim?.control.tap("04010203");
    expect(decisions).toEqual(["granted"]);
    if (probe) probe.count = 1; // the station is now full (capacity 1)
    clock.advance(10_000);
    booted.sim?.control.tap("04010203");
    expect(decisions.at(-1)).toBe("denied:capacity");
  });
});
