/**
 * The station file of a simulated station with the face module: simulated door, one simulated
 * card reader, the simulated camera. The face tests and the face bench both boot it; they differ
 * only in what is passed here.
 */
export interface FaceStationFile {
  readonly stationId: string;
  readonly dataDir: string;
  readonly secretsFile: string;
  readonly brokerUrl: string;
  readonly rereadSuppressMs: number;
  /** lines inside `face:` (two-space indented), e.g. `  service: { ... }` */
  readonly faceLines?: readonly string[];
  /** more of the `mqtt:` section, e.g. `telemetry: { heartbeatS: 1 }` */
  readonly mqtt?: string;
  /** top-level sections to add after `face:` */
  readonly extra?: string;
}

export function faceStationFile(f: FaceStationFile): string {
  const face = f.faceLines && f.faceLines.length > 0 ? `face:\n${f.faceLines.join("\n")}` : "face: {}";
  return `station: { id: ${f.stationId} }
dataDir: ${f.dataDir}
secretsFile: ${f.secretsFile}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
  readers: [{ id: entry, kind: simulated }]
door: { lockMode: fail-secure }
mqtt: { url: "${f.brokerUrl}"${f.mqtt ? `, ${f.mqtt}` : ""} }
console: { enabled: false }
access: { rereadSuppressMs: ${f.rereadSuppressMs} }
${face}
${f.extra ?? ""}
`;
}
