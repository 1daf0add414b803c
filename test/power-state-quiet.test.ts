import { afterEach, describe, expect, it, vi } from "vitest";
import type { BootedStation } from "../scripts/boot.ts";
import { bootPowerStation } from "./support/power-station.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The retained `state` goes to the central server for every station of the fleet: a bus that
 * reads the same slots and meters every cycle must not re-publish it every cycle.
 */
describe("state on a quiet power station", () => {
  let b: BootedStation | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  it("is not re-published while the cabinet and the idle outlets read the same", async () => {
    ({ booted: b } = await bootPowerStation());
    const station = b.station;
    await waitFor(() => (station.state().cabinet?.slots.length ?? 0) > 0, "cabinet read", 10_000);
    const publish = vi.spyOn(station.mqtt, "publishState");
    // the cabinet's status read counts one request per poll cycle
    const cycles = () => station.state().modbus?.rs485?.devices["10"]?.requests ?? 0;
    const from = cycles();
    await waitFor(() => cycles() >= from + 8 * 3, "eight poll cycles", 20_000);
    expect(publish.mock.calls.length).toBeLessThanOrEqual(2);
  }, 40_000);
});
