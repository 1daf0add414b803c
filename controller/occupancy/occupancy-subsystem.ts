import { z } from "zod";
import type { OccupancyConfig } from "../../config/sections/occupancy.ts";
import type { OccupancyHardware } from "../../device/hardware.ts";
import type { CommandSpec, DoctorCheck, Subsystem, SubsystemContext } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";
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

  static create(ctx: SubsystemContext): OccupancySubsystem | undefined {
    const cfg = ctx.config.occupancy;
    const hw = ctx.hardware.occupancy;
    return cfg && hw ? new OccupancySubsystem(ctx, cfg, hw) : undefined;
  }

  constructor(ctx: SubsystemContext, cfg: OccupancyConfig, hw: OccupancyHardware) {
    const service = new OccupancyService(
      cfg,
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
    this.doctorChecks = [
      ...(hw.radar
        ? [
            {
              id: "occupancy.radar",
              title: "presence radar reports",
              causes: [
                {
                  cause: "the radar sends no frames, or frames that stopped changing",
                  hint: "see docs/sensors.md, 'Radar health'",
                },
              ],
              run: async () => {
                const s = hw.radar?.status();
                const ok = s?.health === "good";
                return {
                  ok,
                  detail: `${s?.health}${s?.detail ? `: ${s.detail}` : ""} (firmware ${s?.firmware ?? "unknown"}, ${s?.frames} frames)`,
                  ...(ok ? {} : { hint: "see docs/sensors.md, 'Radar health'" }),
                };
              },
            },
          ]
        : []),
      ...(hw.board
        ? [
            {
              id: "occupancy.board",
              title: "I/O board answers Firmata",
              causes: [
                {
                  cause: "the I/O board does not answer Firmata",
                  hint: "is StandardFirmata flashed, at 57600 baud? see docs/sensors.md",
                },
              ],
              run: async () => {
                const s = hw.board?.board.status();
                return {
                  ok: s?.ready === true,
                  detail: `${hw.board?.board.path}: ${s?.ready ? "ready" : `not ready${s?.detail ? ` (${s.detail})` : ""}`}`,
                  ...(s?.ready
                    ? {}
                    : { hint: "is StandardFirmata flashed, at 57600 baud? see docs/sensors.md" }),
                };
              },
            },
          ]
        : []),
    ];
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

  onChange(listener: () => void): () => void {
    return this.service.onChange(listener);
  }
}
