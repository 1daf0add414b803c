import { afterEach, describe, expect, it, vi } from "vitest";
import type { BootedStation } from "../scripts/boot.ts";
import { power, powerArgs } from "../scripts/commands/power.ts";
import { bootPowerStation, letIn } from "./support/power-station.ts";
import { waitFor } from "./support/wait.ts";

/** `waystation power …`: a technician clears a quarantined outlet from the command line. */
let booted: BootedStation | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await booted?.stop();
  booted = undefined;
});

describe("waystation power", () => {
  it("parses key=value arguments", () => {
    expect(powerArgs(["outlet=phone-1", "slot=3"])).toEqual({ outlet: "phone-1", slot: 3 });
    expect(() => powerArgs(["oops"])).toThrow(expect.objectContaining({ code: "CLI_USAGE" }));
  });

  it("clears a quarantined outlet through the control socket; refuses what is not quarantined", async () => {
    const s = await bootPowerStation();
    booted = s.booted;
    const b = s.booted;
    letIn(b);
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((c) => {
      out.push(String(c));
      return true;
    });
    const socket = { socket: b.station.control.path, json: true };
    expect(await power("outlet", ["outlet=ebike-2", "action=start"], socket)).toBe(0);
    b.powerSim?.control.meterFault("ebike-2", "over-current");
    await waitFor(
      () => b.station.state().outlets?.["ebike-2"]?.state === "quarantined",
      "the quarantine",
      15_000,
    );
    expect(await power("outlet", ["outlet=ebike-1", "action=clear"], socket)).toBe(1);
    expect(out.at(-1)).toContain("OUTLET_NOT_QUARANTINED");
    b.powerSim?.control.meterFault("ebike-2", "none");
    expect(await power("outlet", ["outlet=ebike-2", "action=clear"], socket)).toBe(0);
    expect(s.events.find((e) => e.type === "outlet.cleared")).toMatchObject({
      outlet: "ebike-2",
      by: "cli:local",
    });
  });
});
