import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";

/** Where a real station's control socket lives: systemd's RuntimeDirectory for the service. */
export const REAL_CONTROL_SOCKET = "/run/waystation/control.sock";

/**
 * The local control socket: `control` in the station file. The CLI on the station (`door
 * fire-reset`, `selftest`, `sim ...`) reaches the running controller through it, with or without
 * the console.
 */
export const controlSchema = z
  .object({
    socket: z
      .string()
      .min(1)
      .optional()
      .describe(
        "unix socket of the running station (mode 0660: root and the service's group); default /run/waystation/control.sock, or run/control.sock in dataDir when the hardware is simulated; a relative path is inside dataDir",
      ),
  })
  .strict()
  .default({});

/** The socket path a station file means, for the station and the CLI alike. */
export function controlSocketPath(config: {
  dataDir: string;
  hardware: { mode: string };
  control: { socket?: string | undefined };
}): string {
  const set = config.control.socket;
  if (set) return isAbsolute(set) ? set : resolve(config.dataDir, set);
  // In its own 0700 directory: the data directory holds only private entries (config/private-files.ts).
  return config.hardware.mode === "real" ? REAL_CONTROL_SOCKET : join(config.dataDir, "run", "control.sock");
}
