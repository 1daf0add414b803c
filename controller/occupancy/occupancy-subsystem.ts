import { z } from "zod";
import type { OccupancyConfig } from "../../config/sections/occupancy.ts";
import { stationTimeZone } from "../../config/station-time-zone.ts";
import type { OccupancyHardware } from "../../device/hardware.ts";
import { occupancyTelemetry } from "../contract/occupancy-events.ts";
import type { TelemetryPart } from "../mqtt/telemetry-reporter.ts";
import type { CommandSpec, DoctorCheck, SelftestStep, Subsystem, SubsystemContext } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";
import { occupancyChecks } from "./occupancy-checks.ts";
import { OccupancyService } from "./occupancy-service.ts";

/**
 * Who is inside, as a station subsystem: present when the station file has an `occupancy`
 * section and the hardware bundle carries its sensors. It provides the occupancy figure the
 * access policy's capacity rule reads.
 */
export class OccupancySubsystem implements Subsystem {
  readonly name = "occupancy";
  readonly service: OccupancyService;
  readonly commands: readonly CommandSpec[];
  readonly doctorChecks: readonly DoctorCheck[];
  readonly selftestSteps: readonly SelftestStep[];

  static create(ctx: SubsystemContext): OccupancySubsystem | undefined {
    const cfg = ctx.config.occupancy;
    const hw = ctx.hardware.occupancy;
    return cfg && hw ? new OccupancySubsystem(ctx, cfg, hw) : undefined;
  }

  constructor(ctx: SubsystemContext, cfg: OccupancyConfig, hw: OccupancyHardware) {
    const service = new OccupancyService(
      cfg,
      stationTimeZone(ctx.config),
      hw,
      ctx.bus,
      ctx.hardware.clock,
      ctx.logger.child({ module: "occupancy" }),
    );
    this.service = service;
    ctx.ports.occupancy = {
      current: () => service.count(),
      isInside: (credential) => service.isInside(credential),
      readerDirection: (readerId) => service.readerDirection(readerId),
    };
    this.commands = [
      defineCommand({
        name: "occupancy.welfare-clear",
        summary: "a technician has checked on the person inside: clear the welfare alert",
        args: z.object({}).strict(),
        run: async () =>
          service.clearWelfare()
            ? { status: "ok" }
            : { status: "error", code: "NO_WELFARE_ALERT", data: { detail: "no welfare alert is active" } },
      }),
      defineCommand({
        name: "occupancy.set-count",
        summary: "set the number of people inside after a head count",
        args: z.object({ count: z.number().int().min(0).max(1000) }).strict(),
        run: async ({ count }) => {
          service.setCount(count);
          return { status: "ok", data: { count: service.count() } };
        },
      }),
      ...(hw.radar
        ? [
            defineCommand({
              name: "occupancy.radar-reinit",
              summary: "restart and reconfigure the radar module",
              args: z.object({}).strict(),
              run: async () => {
                await hw.radar?.reinitialise("technician");
                return { status: "ok", data: hw.radar?.status() };
              },
            }),
          ]
        : []),
    ];
    const checks = occupancyChecks(hw, () => service.snapshot().sensors, ctx.hardware.clock);
    this.doctorChecks = checks.doctor;
    this.selftestSteps = checks.selftest;
  }

  start(): Promise<void> {
    return this.service.start();
  }

  stop(): Promise<void> {
    return this.service.stop();
  }

  failSafe(): void {
    this.service.failSafe();
  }

  snapshot() {
    return { occupancy: this.service.snapshot() };
  }

  /** The figure, the welfare alert and each sensor's health; a change of any is reported at once. */
  telemetry(): TelemetryPart {
    const occupancy = occupancyTelemetry(this.service.snapshot());
    return { fields: { occupancy }, watch: { occupancy: JSON.stringify(occupancy) } };
  }

  onChange(listener: () => void): () => void {
    return this.service.onChange(listener);
  }
}
