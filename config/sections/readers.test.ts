import { describe, expect, it } from "vitest";
import { type ConfigIssue, parseConfigText } from "../load.ts";

const station = (readers: string) => `
station: { id: st-1 }
hardware:
  mode: real
  gpio:
    lockRelay: { pin: 17 }
    doorContact: { pin: 27 }
    exitButton: { pin: 22 }
  readers:
${readers}
door: { lockMode: fail-secure }
mqtt: { url: "mqtts://broker.example:8883" }
`;

function issuesOf(text: string): ConfigIssue[] {
  const r = parseConfigText(text, "/base");
  if (r.ok) throw new Error("expected the file to be invalid");
  return r.issues;
}

describe("reader config", () => {
  it("accepts a PC/SC reader, a Wiegand reader with a custom format, and fills defaults", () => {
    const r = parseConfigText(
      station(`    - { id: entry, kind: pcsc, readerName: ACR122U }
    - id: gate
      kind: wiegand
      d0: 5
      d1: 6
      formats: [wiegand-26, keypad-8]
      customFormats:
        - name: corp-35
          bits: 35
          facility: { start: 2, length: 12 }
          card: { start: 14, length: 20 }
          parity:
            - { bit: 1, type: even, over: [[2, 33]] }
            - { bit: 34, type: odd, over: [[1, 33]] }
`),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.hardware.readers).toEqual([
      {
        id: "entry",
        kind: "pcsc",
        readerName: "ACR122U",
        repeatMs: 2000,
        allowVirtualReaders: false,
        attachGraceMs: 3000,
      },
      expect.objectContaining({
        id: "gate",
        kind: "wiegand",
        frameTimeoutMs: 25,
        minPulseUs: 10,
        maxPulseUs: 1000,
      }),
    ]);
  });

  it.each([
    {
      name: "two readers with the same id",
      readers: "    - { id: entry, kind: pcsc }\n    - { id: entry, kind: simulated }",
      path: "hardware.readers[1].id",
      message: /used twice/,
    },
    {
      name: "D0 and D1 on one line",
      readers: "    - { id: gate, kind: wiegand, d0: 5, d1: 5 }",
      path: "hardware.readers[0].d1",
      message: /must be different/,
    },
    {
      name: "a Wiegand line on the lock relay's pin",
      readers: "    - { id: gate, kind: wiegand, d0: 17, d1: 6 }",
      path: "hardware.readers[0].d0",
      message: /GPIO 17 is already gpio.lockRelay/,
    },
    {
      name: "two Wiegand readers sharing a line",
      readers: "    - { id: a, kind: wiegand, d0: 5, d1: 6 }\n    - { id: b, kind: wiegand, d0: 6, d1: 7 }",
      path: "hardware.readers[1].d0",
      message: /GPIO 6 is already a.d1/,
    },
    {
      name: "a custom format as long as a built-in one",
      readers: `    - id: gate
      kind: wiegand
      d0: 5
      d1: 6
      customFormats: [{ name: odd-26, bits: 26, card: { start: 1, length: 24 } }]`,
      path: "hardware.readers[0].customFormats",
      message: /wiegand-odd-26 and wiegand-26 both have 26 bits/,
    },
    {
      name: "a custom field outside the frame",
      readers: `    - id: gate
      kind: wiegand
      d0: 5
      d1: 6
      formats: [wiegand-26]
      customFormats: [{ name: short, bits: 30, card: { start: 20, length: 16 } }]`,
      path: "hardware.readers[0].customFormats[0]",
      message: /outside its 30 bits/,
    },
    {
      name: "an unknown reader kind",
      readers: "    - { id: entry, kind: nfc }",
      path: "hardware.readers[0].kind",
      message: /Expected/,
    },
  ])("refuses $name", ({ readers, path, message }) => {
    const issues = issuesOf(station(readers));
    expect(issues).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
  });

  it("suggests the right key for a misspelt reader setting, and explains the pin", () => {
    const typo = issuesOf(station("    - { id: entry, kind: pcsc, readername: ACR122U }"));
    expect(typo[0]).toMatchObject({
      path: "hardware.readers[0].readername",
      hint: 'did you mean "readerName"?',
    });
    const pin = issuesOf(station("    - { id: gate, kind: wiegand, d0: 40, d1: 6 }"));
    expect(pin[0]).toMatchObject({ path: "hardware.readers[0].d0", hint: expect.stringMatching(/D0 wire/) });
  });
});
