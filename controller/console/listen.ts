import type { Server } from "node:net";
import { StationError, type Subsystem } from "../../config/errors.ts";

/** Listen, turning "address in use" into an error that names the setting to change. */
export function listenOn(
  server: Server,
  host: string,
  port: number,
  setting: string,
  subsystem: Subsystem = "console",
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (err.code === "EADDRINUSE") {
        reject(
          new StationError("PORT_IN_USE", subsystem, `${host}:${port} is already in use (${setting})`, {
            cause: err,
            hint: `stop whatever holds the port (ss -ltnp 'sport = :${port}') or set ${setting} to a free port`,
          }),
        );
      } else {
        reject(
          new StationError(
            "PORT_IN_USE",
            subsystem,
            `cannot listen on ${host}:${port} (${setting}): ${err.code}`,
            {
              cause: err,
            },
          ),
        );
      }
    };
    const onListening = () => {
      server.off("error", onError);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
