import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SystemClock } from "../device/clock/system-clock.ts";
import { Command } from "../device/ld2410/codec.ts";
import { LD2410_DEFAULTS, Ld2410Radar } from "../device/ld2410/ld2410-radar.ts";
import type { RadarReading } from "../device/ports/presence-radar.ts";
import { SerialPortLink } from "../device/serial/serialport-link.ts";
import { Ld2410Peer, RADAR_PEER_DEFAULTS } from "../simulator/ld2410/radar-peer.ts";
import { SocatPty } from "../simulator/serial/socat-pty.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The LD2410 driver through the real serialport bindings on one end of a socat pty pair, the
 * simulated module on the other (also through serialport). The unplug is real: socat dies, the
 * device path vanishes and the open port sees EIO; the replug is a new socat on the same path.
 */
const socat = daemon("socat", "socat");

describe("LD2410 over a real pty", () => {
  if (!realStackAvailable(socat)) return;
  const clock = new SystemClock();
  let pty: SocatPty;
  let radar: Ld2410Radar;
  let peer: Ld2410Peer;
  const readings: RadarReading[] = [];

  beforeAll(async () => {
    pty = new SocatPty(socat.path as string, "radar");
    await pty.plug();
    peer = new Ld2410Peer(new SerialPortLink(pty.devicePath, 256000), clock, {
      ...RADAR_PEER_DEFAULTS,
      periodMs: 50,
    });
    await peer.start();
    radar = new Ld2410Radar("radar", new SerialPortLink(pty.hostPath, 256000), clock, {
      ...LD2410_DEFAULTS,
      staleMs: 800,
      reopenMs: 200,
      reinitBackoffMs: 1000,
      restartSettleMs: 400,
    });
    radar.onReading((r) => readings.push(r));
    await radar.start();
  });

  afterAll(async () => {
    await radar?.stop();
    await peer?.stop();
    await pty?.dispose();
  });

  it("configures the module and reads a person walking in and standing still", async () => {
    await waitFor(() => radar.status().health === "good", "radar good", 10_000);
    expect(radar.status().firmware).toBe("V1.07.22091615");
    expect(peer.received).toContain(Command.engineeringOn);
    peer.walkIn(250);
    await waitFor(() => readings.at(-1)?.target === "moving", "moving target", 10_000);
    peer.standStill();
    await waitFor(() => readings.at(-1)?.target === "still", "still target", 10_000);
    expect(readings.at(-1)?.stillCm).toBe(250);
  });

  it("resynchronises through garbage bytes on the wire", async () => {
    peer.scene.garbagePerFrame = 7;
    const before = readings.length;
    await waitFor(() => readings.length >= before + 10, "ten frames through the noise", 10_000);
    peer.scene.garbagePerFrame = 0;
    expect(radar.status().garbageBytes).toBeGreaterThan(0);
  });

  it("a silent module is detected as stale and restarted", async () => {
    const reinits = radar.status().reinits;
    peer.scene.silent = true;
    await waitFor(() => radar.status().reinits > reinits, "a re-initialisation", 10_000);
    await waitFor(() => radar.status().health === "good", "good again", 10_000);
  });

  it("unplug: offline while the path is gone; replug: it reopens by itself and reads again", {
    timeout: 60_000,
  }, async () => {
    await pty.unplug();
    await waitFor(() => radar.status().health === "offline", "offline after the unplug", 10_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(radar.status().health).toBe("offline");
    await pty.plug();
    const before = readings.length;
    await waitFor(() => radar.status().health === "good", "good after the replug", 15_000);
    await waitFor(() => readings.length > before + 3, "readings after the replug", 10_000);
    expect(radar.status().reopens).toBeGreaterThan(0);
  });
});
