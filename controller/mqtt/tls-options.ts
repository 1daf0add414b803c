import { readFileSync } from "node:fs";
import type { IClientOptions } from "mqtt";

export interface TlsFiles {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  rejectUnauthorized: boolean;
  servername?: string | undefined;
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read TLS file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** The TLS part of the client options (the station's link and doctor's broker check share it). */
export function tlsClientOptions(tls: TlsFiles | undefined): Partial<IClientOptions> {
  if (!tls) return {};
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca ? { ca: readPem(tls.ca) } : {}),
    ...(tls.cert ? { cert: readPem(tls.cert) } : {}),
    ...(tls.key ? { key: readPem(tls.key) } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
}
