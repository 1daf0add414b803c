import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isStationError } from "../config/errors.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import { decodePzem, pzemReadRequest } from "../device/modbus/pzem.ts";
import { charMs } from "../device/modbus/rtu-codec.ts";
import { type Answer, RtuMaster } from "../device/modbus/rtu-master.ts";
import { SerialLink } from "../device/serial/serial-link.ts";
import { PtyPair } from "../scripts/socat-pty.ts";
import { SimRtuBus } from "../simulator/modbus/rtu-slave-bus.ts";
import { SimPzemMeter } from "../simulator/power/pzem-meter.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

const clock = new SystemClock();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Ask until the answer comes (an async probe, which waitFor does not await). */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const masterOpts = { baud: 9600, timeoutMs: 200, retries: 1, offlineAfter: 2, reopenMs: 50 };
const values = (a: Answer) => (a as { values: Uint16Array }).values;

async function ptyPair(): Promise<PtyPair> {
  const pty = new PtyPair();
  await pty.start();
  cleanups.push(() => pty.dispose());
  return pty;
}

describe("Modbus RTU over the real serialport bindings on a socat pty pair", () => {
  if (!realStackAvailable(daemon("socat", "socat"))) return;

  it("reads simulated PZEM meters paced at 9600 baud, counts CRC noise, survives an unplug", async () => {
    const pty = await ptyPair();
    const slaveLink = new SerialLink({ path: pty.b, baudRate: 9600 });
    const bus = new SimRtuBus(slaveLink, clock, { baud: 9600, turnaroundMs: 2, pace: true });
    const meters = [1, 2].map((u) => {
      const m = new SimPzemMeter(u, clock, () => true);
      m.plug("phone", 30);
      bus.attach(m);
      return m;
    });
    await bus.start();
    cleanups.push(() => bus.stop());
    const master = new RtuMaster(new SerialLink({ path: pty.a, baudRate: 9600 }), clock, masterOpts);
    await master.start();
    cleanups.push(() => master.stop());

    const t0 = performance.now();
    const r = decodePzem(values(await master.request(pzemReadRequest(2))));
    const took = performance.now() - t0;
    expect(r).toMatchObject({ voltageV: 230, powerW: 18, frequencyHz: 50 });
    // the simulated wire: 8 request + 25 answer bytes at 9600 baud, plus the turnaround
    expect(took).toBeGreaterThanOrEqual(33 * charMs(9600));

    (meters[0] as SimPzemMeter).fault = "crc-noise";
    const err = await master.request(pzemReadRequest(1)).catch((e: unknown) => e);
    expect(isStationError(err, "MODBUS_CRC")).toBe(true);
    expect(master.device(1)).toMatchObject({ crcErrors: 2, retries: 1 });
    expect(master.device(2).crcErrors).toBe(0);

    // unplug: socat goes away with both ptys; the master sees its line close and fails fast
    const downs: boolean[] = [];
    master.onLink((c) => downs.push(c.up));
    await pty.stop();
    // the hang-up is reported as a close, or (a pty sometimes swallows it) found by the silence
    await until(
      async () => {
        const e = await master.request(pzemReadRequest(2)).catch((x: unknown) => x);
        return isStationError(e, "MODBUS_LINK_DOWN") || undefined;
      },
      "requests to fail fast on the unplugged line",
      10_000,
    );
    expect(master.linkUp).toBe(false);
    // plug back in: the same paths come back; the master reopens by itself
    await pty.start();
    await slaveLink.open();
    await waitFor(() => master.linkUp, "the master to reopen its line", 10_000);
    expect(decodePzem(values(await master.request(pzemReadRequest(2)))).powerW).toBe(18);
    expect(downs[0]).toBe(false);
    expect(downs.at(-1)).toBe(true);
  });
});

const PYTHON = "/usr/bin/python3";
// pymodbus' serial server also needs pyserial-asyncio, which Debian only recommends
const pymodbusInstalled = ["pymodbus/__init__.py", "serial_asyncio/__init__.py"].every((f) =>
  existsSync(`/usr/lib/python3/dist-packages/${f}`),
);

describe("Modbus RTU against pymodbus 3.0 as an independent slave", () => {
  if (
    !realStackAvailable(daemon("socat", "socat"), {
      name: "python3-pymodbus",
      path: pymodbusInstalled && existsSync(PYTHON) ? PYTHON : undefined,
      install: "sudo apt-get install -y python3-pymodbus python3-serial-asyncio",
    })
  )
    return;

  it("reads, writes and gets exceptions from a meter our code did not write", async () => {
    const pty = await ptyPair();
    const script = resolve(import.meta.dirname, "support", "pymodbus_meter.py");
    const py: ChildProcess = spawn(PYTHON, [script, pty.b, "7"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    py.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    cleanups.push(async () => {
      py.kill("SIGKILL");
    });
    const master = new RtuMaster(new SerialLink({ path: pty.a, baudRate: 9600 }), clock, {
      ...masterOpts,
      retries: 0,
    });
    await master.start();
    cleanups.push(() => master.stop());
    // pymodbus needs a moment to open its end; ask until it answers
    const first = await until(
      () => master.request(pzemReadRequest(7)).catch(() => undefined),
      `pymodbus to answer (${stderr})`,
      15_000,
    );
    const reading = decodePzem(values(first));
    expect(reading).toEqual({
      voltageV: 230.1,
      currentA: 1.234,
      powerW: 283.5,
      energyWh: 70000,
      frequencyHz: 50,
      powerFactor: 0.99,
      alarm: false,
    });
    await master.request({ fn: 0x06, unit: 7, address: 1, value: 1500 });
    expect([...values(await master.request({ fn: 0x03, unit: 7, address: 1, count: 2 }))]).toEqual([1500, 7]);
    await master.request({ fn: 0x10, unit: 7, address: 4, values: [11, 22, 33] });
    expect([...values(await master.request({ fn: 0x03, unit: 7, address: 4, count: 3 }))]).toEqual([
      11, 22, 33,
    ]);
    expect((await master.request({ fn: 0x05, unit: 7, address: 3, on: true })).fn).toBe(0x05);
    const ex = await master.request({ fn: 0x04, unit: 7, address: 100, count: 2 }).catch((e: unknown) => e);
    expect(isStationError(ex, "MODBUS_EXCEPTION") && ex.details.exceptionCode).toBe(2);
    const silent = await master.request(pzemReadRequest(9)).catch((e: unknown) => e);
    expect(isStationError(silent, "MODBUS_TIMEOUT")).toBe(true);
    expect(master.device(7)).toMatchObject({ exceptions: 1, crcErrors: 0, online: true });
  });
});
