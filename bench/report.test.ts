import { describe, expect, it } from "vitest";
import { paramsText, printTable, result } from "./report.ts";

describe("the bench table's params", () => {
  it("prints a nested object's numbers as dotted keys, never [object Object]", () => {
    const params = {
      backlog: 100000,
      broker: "mosquitto (local)",
      cpu_us_per_event: { main_thread: 3.1, other_threads: 1.2, mosquitto: 4.5 },
      formats: [26, 34],
    };
    expect(paramsText(params)).toBe(
      "backlog=100000 broker=mosquitto (local) cpu_us_per_event.main_thread=3.1 cpu_us_per_event.other_threads=1.2 cpu_us_per_event.mosquitto=4.5 formats=26,34",
    );
    const table = printTable([
      result({ name: "mqtt.drain", metric: "events_per_s", value: 1, unit: "events/s", params }),
    ]);
    expect(table).toContain("cpu_us_per_event.mosquitto=4.5");
    expect(table).not.toContain("[object Object]");
  });
});
