import { isWildcardAddress } from "./addresses.ts";
import type { StationConfig } from "./schema.ts";

/** A setting that is allowed but weakens the station: warned about at every start. */
export interface ConfigWarning {
  readonly setting: string;
  readonly detail: string;
  /** sets the `insecure` flag in state (the central side sees it) */
  readonly insecure: boolean;
}

export function configWarnings(c: StationConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  if (c.mqtt.tls && !c.mqtt.tls.rejectUnauthorized) {
    out.push({
      setting: "mqtt.tls.rejectUnauthorized",
      detail: "the broker's certificate is not verified: anyone on the path can pose as the broker",
      insecure: true,
    });
  }
  if (c.console.enabled && isWildcardAddress(c.console.host)) {
    out.push({
      setting: "console.host",
      detail: `the technician console (no login yet) listens on every interface (${c.console.host || "all"}); prefer 127.0.0.1 and an SSH tunnel`,
      insecure: false,
    });
  }
  return out;
}
