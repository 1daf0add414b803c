import { StationError } from "../config/errors.ts";
import type { IdentifierHasher } from "../device/identity/hasher.ts";
import { parseHexIdentifier } from "../device/identity/hasher.ts";
import type { CardReader, CredentialKind } from "../device/ports/card-reader.ts";
import { CardReaderBase } from "../device/ports/card-reader-base.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { SimReaderSlot } from "./reader-slot.ts";

/**
 * The in-process simulated reader. Like a real driver it hashes the identifier at the boundary;
 * the raw UID never leaves `present()`.
 */
export class SimCardReader extends CardReaderBase implements SimReaderSlot {
  private running = false;
  readonly how: string;

  constructor(
    id: string,
    private readonly hasher: IdentifierHasher,
    private readonly clock: Clock,
    how = "in-process simulated reader",
  ) {
    super(id);
    this.how = how;
  }

  get reader(): CardReader {
    return this;
  }

  /** 4, 7 or 10 bytes of hex: a card's UID; 8 bytes: a resident ID card's serial. */
  tap(spec: string): void {
    this.present(spec, parseHexIdentifier(spec)?.length === 8 ? "resident-id" : "card-uid");
  }

  async start(): Promise<void> {
    this.running = true;
    this.statuses.emit({ type: "online", readerId: this.id, detail: "simulated reader" });
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  /** Unplug or replug the reader (a USB reader pulled out, a Wiegand cable cut). */
  setOnline(online: boolean, detail = online ? "reader reconnected" : "reader unplugged"): void {
    if (online === this.running) return;
    this.running = online;
    this.statuses.emit({ type: online ? "online" : "offline", readerId: this.id, detail });
  }

  /** A card is presented: `uidHex` as printed on the card ("04A1B2C3"). */
  present(uidHex: string, kind: CredentialKind = "card-uid"): void {
    const raw = parseHexIdentifier(uidHex);
    if (!raw || ![4, 7, 8, 10].includes(raw.length)) {
      throw new StationError(
        "SIM_BAD_COMMAND",
        "sim",
        "a card UID is 4, 7 or 10 bytes of hex (8 for an ID card)",
        {
          hint: "e.g. 04A1B2C3",
        },
      );
    }
    if (!this.running) return; // a stopped reader sees nothing, as a real one would
    const format = kind === "resident-id" ? `serial-${raw.length}` : `uid-${raw.length}`;
    this.reads.emit({
      readerId: this.id,
      kind,
      credential: this.hasher(kind, raw),
      format,
      atMs: this.clock.monotonic(),
    });
  }
}
