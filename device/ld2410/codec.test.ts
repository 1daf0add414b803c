import { describe, expect, it } from "vitest";
import {
  Command,
  CommandValue,
  decodeFirmware,
  decodeParameterList,
  decodeParameters,
  encodeAck,
  encodeCommand,
  encodeFirmware,
  encodeParameters,
  encodeReport,
  type RadarReport,
} from "./codec.ts";
import { Ld2410Parser } from "./parser.ts";

const hex = (s: string) =>
  Uint8Array.from(
    s
      .split(/\s+/)
      .filter(Boolean)
      .map((b) => Number.parseInt(b, 16)),
  );
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

/** Frames written out by hand from the protocol facts, not produced by the encoder under test. */
const reports: { name: string; bytes: string; report: RadarReport }[] = [
  {
    name: "basic, nobody",
    bytes: "f4 f3 f2 f1 0d 00 02 aa 00 00 00 00 00 00 00 00 00 55 00 f8 f7 f6 f5",
    report: {
      engineering: false,
      target: "none",
      movingCm: 0,
      movingEnergy: 0,
      stillCm: 0,
      stillEnergy: 0,
      detectCm: 0,
    },
  },
  {
    name: "basic, someone moving at 1.2 m and still at 3 m",
    bytes: "f4 f3 f2 f1 0d 00 02 aa 03 78 00 3c 2c 01 28 2c 01 55 00 f8 f7 f6 f5",
    report: {
      engineering: false,
      target: "both",
      movingCm: 120,
      movingEnergy: 60,
      stillCm: 300,
      stillEnergy: 40,
      detectCm: 300,
    },
  },
  {
    name: "engineering, still person, 9 gates each, 2 extra bytes",
    bytes:
      "f4 f3 f2 f1 23 00 01 aa 02 00 00 00 96 00 50 96 00 08 08 " +
      "01 02 03 04 05 06 07 08 09 10 20 30 40 50 60 70 64 00 00 00 55 00 f8 f7 f6 f5",
    report: {
      engineering: true,
      target: "still",
      movingCm: 0,
      movingEnergy: 0,
      stillCm: 150,
      stillEnergy: 80,
      detectCm: 150,
      movingGates: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      stillGates: [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x64, 0],
    },
  },
];

describe("LD2410 report frames", () => {
  it.each(reports)("$name decodes", ({ bytes, report }) => {
    const p = new Ld2410Parser("host");
    expect(p.push(hex(bytes))).toEqual([{ kind: "report", report }]);
    expect(p.stats).toEqual({ frames: 1, garbageBytes: 0, badFrames: 0 });
  });
  it.each(reports)("$name encodes to the same bytes", ({ bytes, report }) => {
    expect(toHex(encodeReport(report))).toBe(bytes.replace(/\s+/g, " "));
  });
});

const commands: { name: string; bytes: string; frame: Uint8Array }[] = [
  {
    name: "enable config",
    bytes: "fd fc fb fa 04 00 ff 00 01 00 04 03 02 01",
    frame: encodeCommand(Command.enableConfig, CommandValue.enableConfig()),
  },
  {
    name: "end config",
    bytes: "fd fc fb fa 02 00 fe 00 04 03 02 01",
    frame: encodeCommand(Command.endConfig),
  },
  {
    name: "engineering on",
    bytes: "fd fc fb fa 02 00 62 00 04 03 02 01",
    frame: encodeCommand(Command.engineeringOn),
  },
  {
    name: "max gates 8/8, nobody after 5 s",
    bytes: "fd fc fb fa 14 00 60 00 00 00 08 00 00 00 01 00 08 00 00 00 02 00 05 00 00 00 04 03 02 01",
    frame: encodeCommand(Command.setMaxGatesAndNoOne, CommandValue.maxGatesAndNoOne(8, 8, 5)),
  },
  {
    name: "all gates' sensitivity 40/40",
    bytes: "fd fc fb fa 14 00 64 00 00 00 ff ff 00 00 01 00 28 00 00 00 02 00 28 00 00 00 04 03 02 01",
    frame: encodeCommand(Command.setGateSensitivity, CommandValue.gateSensitivity(0xffff, 40, 40)),
  },
  { name: "restart", bytes: "fd fc fb fa 02 00 a3 00 04 03 02 01", frame: encodeCommand(Command.restart) },
  {
    name: "read firmware",
    bytes: "fd fc fb fa 02 00 a0 00 04 03 02 01",
    frame: encodeCommand(Command.readFirmware),
  },
];

describe("LD2410 command frames", () => {
  it.each(commands)("$name", ({ bytes, frame }) => {
    expect(toHex(frame)).toBe(bytes);
    const [parsed] = new Ld2410Parser("module").push(frame);
    expect(parsed?.kind).toBe("command");
  });

  it("the module side reads the parameter list of 0x0060", () => {
    const [f] = new Ld2410Parser("module").push(
      encodeCommand(Command.setMaxGatesAndNoOne, CommandValue.maxGatesAndNoOne(6, 7, 30)),
    );
    if (f?.kind !== "command") throw new Error("no command");
    expect([...decodeParameterList(f.value)]).toEqual([
      [0, 6],
      [1, 7],
      [2, 30],
    ]);
  });
});

describe("LD2410 ACK frames", () => {
  it("enable-config ACK: command | 0x0100, status 0, protocol and buffer words", () => {
    const bytes = hex("fd fc fb fa 08 00 ff 01 00 00 01 00 40 00 04 03 02 01");
    expect(toHex(encodeAck(Command.enableConfig, 0, [1, 0, 0x40, 0]))).toBe(toHex(bytes));
    const [f] = new Ld2410Parser("host").push(bytes);
    expect(f).toEqual({
      kind: "ack",
      ack: { command: 0x00ff, status: 0, data: Uint8Array.from([1, 0, 0x40, 0]) },
    });
  });

  it("a failed ACK keeps its status word", () => {
    const [f] = new Ld2410Parser("host").push(encodeAck(Command.engineeringOn, 1));
    expect(f).toMatchObject({ kind: "ack", ack: { command: 0x62, status: 1 } });
  });

  it("firmware version V1.07.22091615", () => {
    const data = hex("01 00 07 01 15 16 09 22");
    expect(encodeFirmware(0x0107, 0x22091615)).toEqual(Array.from(data));
    expect(decodeFirmware(data)).toBe("V1.07.22091615");
  });

  it("read parameters round-trips", () => {
    const p = {
      maxGate: 8,
      maxMovingGate: 8,
      maxStillGate: 6,
      movingSensitivity: [50, 50, 40, 30, 20, 15, 15, 15, 15],
      stillSensitivity: [0, 0, 40, 40, 30, 30, 20, 20, 20],
      noOneS: 5,
    };
    expect(decodeParameters(Uint8Array.from(encodeParameters(p)))).toEqual(p);
    expect(decodeParameters(Uint8Array.from([0xab, 8]))).toBeUndefined();
  });
});

describe("LD2410 resynchronisation", () => {
  const a = hex(reports[1]?.bytes ?? "");
  const b = hex(reports[2]?.bytes ?? "");

  it("garbage before, between and after frames is counted and skipped", () => {
    const p = new Ld2410Parser("host");
    const noise = hex("00 ff f4 f3 12 fd fc");
    const frames = p.push(Uint8Array.from([...noise, ...a, ...noise, ...b, 0xf4, 0xf3]));
    expect(frames.map((f) => f.kind)).toEqual(["report", "report"]);
    expect(p.stats.garbageBytes).toBe(2 * noise.length);
    expect(p.pending).toBe(2);
  });

  it("a frame split byte by byte comes out once, whole", () => {
    const p = new Ld2410Parser("host");
    const out = Array.from(b).flatMap((x) => p.push(Uint8Array.of(x)));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: "report", report: { target: "still", stillCm: 150 } });
  });

  it("a header with a bad footer does not swallow the real frame that follows", () => {
    const p = new Ld2410Parser("host");
    // A false header claiming 13 bytes, cut short by a real frame.
    const fake = hex("f4 f3 f2 f1 0d 00 02 aa");
    const out = p.push(Uint8Array.from([...fake, ...a]));
    expect(out).toHaveLength(1);
    expect(p.stats.badFrames).toBeGreaterThan(0);
  });

  it("a frame whose footer is damaged is rejected even when its body looks right", () => {
    const damaged = Uint8Array.from(a);
    damaged[damaged.length - 1] = 0x00;
    const p = new Ld2410Parser("host");
    expect(p.push(Uint8Array.from([...damaged, ...b]))).toHaveLength(1);
    expect(p.stats.badFrames).toBeGreaterThan(0);
  });

  it("an absurd length is rejected without waiting for 65535 bytes", () => {
    const p = new Ld2410Parser("host");
    const out = p.push(Uint8Array.from([...hex("f4 f3 f2 f1 ff ff"), ...a]));
    expect(out).toHaveLength(1);
  });

  it("a report with an unknown target state is a bad frame", () => {
    const bad = hex("f4 f3 f2 f1 0d 00 02 aa 07 00 00 00 00 00 00 00 00 55 00 f8 f7 f6 f5");
    const p = new Ld2410Parser("host");
    expect(p.push(bad)).toEqual([]);
    expect(p.stats.badFrames).toBe(1);
  });
});
