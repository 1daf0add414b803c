import type { Logger } from "pino";
import type { PcscReaderConfig, WiegandReaderConfig } from "../config/sections/readers.ts";
import type { IdentifierHasher } from "../device/identity/hasher.ts";
import { PcscCardReader } from "../device/pcsc/pcsc-reader.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { PcscTransport } from "../device/ports/pcsc-transport.ts";
import { decoderOptionsFromConfig, WiegandReader } from "../device/wiegand/wiegand-reader.ts";
import { SimOutputLine } from "./gpio-lines.ts";
import type { SimReaderSlot } from "./reader-slot.ts";
import { VpcdCardPlayer, type VpcdEndpoint } from "./vpcd/card-player.ts";
import { VpcdCardPresenter } from "./vpcd/card-presenter.ts";
import { REALISTIC_TIMING, SimWiegandReader } from "./wiegand-reader-sim.ts";

interface SlotDeps {
  readonly clock: Clock;
  readonly hasher: IdentifierHasher;
  readonly logger: Logger;
}

/**
 * A Wiegand reader on the simulated station: the real driver and decoder, fed by a simulated
 * reader that drives D0/D1 with realistic timings and a little line noise.
 */
export function wiegandSlot(
  config: WiegandReaderConfig,
  deps: SlotDeps & { noisePerSecond?: number; random?: () => number },
): SimReaderSlot {
  const log = deps.logger.child({ module: "reader", readerId: config.id });
  const opts = decoderOptionsFromConfig(config);
  const layout = opts.layouts[0];
  const sim = new SimWiegandReader(
    config.id,
    {
      layout,
      keypadBits: opts.keypad8 ? 8 : 4,
      timing: REALISTIC_TIMING,
      noisePerSecond: deps.noisePerSecond ?? 2,
      random: deps.random ?? Math.random,
    },
    deps.clock,
    deps.logger.child({ module: "simulator", readerId: config.id }),
    [`GPIO${config.d0} (D0)`, `GPIO${config.d1} (D1)`],
  );
  // The LED and beeper wires, when the station file connects them, as lines a test can watch.
  const led = config.led === undefined ? undefined : new SimOutputLine(`GPIO${config.led} (LED)`);
  const beeper = config.beeper === undefined ? undefined : new SimOutputLine(`GPIO${config.beeper} (beeper)`);
  const driver = new WiegandReader(
    config.id,
    { d0: sim.d0, d1: sim.d1 },
    { ...opts, pinTimeoutMs: config.pinTimeoutMs },
    deps.hasher,
    deps.clock,
    log,
    { green: led, beeper },
  );
  return {
    id: config.id,
    reader: driver,
    how: `real Wiegand decoder, lines driven by a simulated reader (${layout?.name ?? "keypad only"})`,
    get signals() {
      return driver.signals;
    },
    tap: (spec) => sim.tap(spec),
    start: () => sim.start(),
    stop: () => sim.stop(),
  };
}

/**
 * A PC/SC reader on the simulated station: the real driver through the real pcscd, with the
 * simulator playing cards into one of vpcd's virtual readers.
 */
export function vpcdSlot(
  config: PcscReaderConfig,
  deps: SlotDeps & { transport: PcscTransport; readerName: string; endpoint: VpcdEndpoint; stack: string },
): SimReaderSlot {
  const driver = new PcscCardReader(
    config.id,
    deps.transport,
    // The simulator's own vpcd readers are the point here.
    {
      readerName: deps.readerName,
      repeatMs: config.repeatMs,
      attachGraceMs: config.attachGraceMs,
      allowVirtual: true,
    },
    deps.hasher,
    deps.clock,
    deps.logger.child({ module: "reader", readerId: config.id }),
  );
  const simLog = deps.logger.child({ module: "simulator", readerId: config.id });
  const player = new VpcdCardPlayer(deps.endpoint, deps.clock, simLog);
  const presenter = new VpcdCardPresenter(player, deps.clock, simLog);
  return {
    id: config.id,
    reader: driver,
    how: `real PC/SC driver through ${deps.stack}; simulated cards played into "${deps.readerName}" over vpcd (port ${deps.endpoint.port})`,
    get signals() {
      return driver.signals;
    },
    get busy() {
      return presenter.presenting;
    },
    tap: (spec) => presenter.tap(spec),
    stop: () => presenter.stop(),
  };
}
