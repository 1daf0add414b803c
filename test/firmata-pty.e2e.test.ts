import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SystemClock } from "../device/clock/system-clock.ts";
import { JohnnyFiveBoard } from "../device/firmata/johnny-five-board.ts";
import { SerialPortLink } from "../device/serial/serialport-link.ts";
import { FIRMATA_BOARD_DEFAULTS, FirmataBoardPeer } from "../simulator/firmata/firmata-board.ts";
import { SocatPty } from "../simulator/serial/socat-pty.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * johnny-five (through firmata-io and the real serialport bindings) against the simulated
 * StandardFirmata board on the other end of a socat pty: the handshake, an analog sensor, a
 * relay, and an unplug and replug with the relay put back where it was.
 */
const socat = daemon("socat", "socat");

describe("the I/O board over a real pty", () => {
  if (!realStackAvailable(socat)) return;
  const clock = new SystemClock();
  let pty: SocatPty;
  let peer: FirmataBoardPeer;
  let board: JohnnyFiveBoard;
  const readings: number[] = [];

  beforeAll(async () => {
    pty = new SocatPty(socat.path as string, "board");
    await pty.plug();
    peer = new FirmataBoardPeer(new SerialPortLink(pty.devicePath, 57600), clock, {
      ...FIRMATA_BOARD_DEFAULTS,
      samplingMs: 20,
    });
    await peer.start();
    board = new JohnnyFiveBoard(pty.hostPath, new SerialPortLink(pty.hostPath, 57600), clock, {
      readyTimeoutMs: 5000,
      reopenMs: 200,
      analogFreqMs: 25,
      probeMs: 500,
    });
    board.onAnalog(0, (v) => readings.push(v));
    await board.start();
  });

  afterAll(async () => {
    await board?.stop();
    await peer?.stop();
    await pty?.dispose();
  });

  it("johnny-five gets ready on the emulated board", async () => {
    await waitFor(() => board.status().ready, "board ready", 10_000);
  });

  it("reads an analog sensor (a temperature on A0)", async () => {
    peer.analog[0] = 512;
    await waitFor(() => readings.at(-1) === 512, "A0 = 512", 10_000);
    peer.analog[0] = 700;
    await waitFor(() => readings.at(-1) === 700, "A0 = 700", 10_000);
  });

  it("switches a relay: the board's pin follows, with its mode set to output", async () => {
    board.digitalWrite(7, true);
    await waitFor(() => peer.pins[7], "pin 7 high", 10_000);
    expect(peer.modes[7]).toBe(1);
    board.digitalWrite(7, false);
    await waitFor(() => !peer.pins[7], "pin 7 low", 10_000);
    board.digitalWrite(7, true);
    await waitFor(() => peer.pins[7], "pin 7 high again", 10_000);
  });

  it("a board that hangs (no reports) is dropped and reconnected", { timeout: 60_000 }, async () => {
    const details: string[] = [];
    const off = board.onStatus((s) => details.push(s.detail ?? "ready"));
    peer.hang(true);
    try {
      await waitFor(() => !board.status().ready, "not ready when silent", 15_000);
    } finally {
      peer.hang(false);
    }
    await waitFor(() => board.status().ready, "ready again", 20_000);
    off();
    expect(details[0]).toContain("hung");
  });

  it("unplug: not ready; replug: ready again by itself, the relay driven again, readings flow", {
    timeout: 60_000,
  }, async () => {
    await pty.unplug();
    await waitFor(() => !board.status().ready, "not ready after the unplug", 10_000);
    // The board lost power with the cable: its pins are low when it comes back.
    peer.pins.fill(false);
    await pty.plug();
    await waitFor(() => board.status().ready, "ready after the replug", 15_000);
    await waitFor(() => peer.pins[7], "pin 7 driven again", 10_000);
    peer.analog[0] = 321;
    await waitFor(() => readings.at(-1) === 321, "A0 after the replug", 10_000);
  });
});
