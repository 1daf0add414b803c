import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import type { Logger } from "pino";
import { listenOn } from "../controller/console/listen.ts";

/**
 * The demo's embedded MQTT broker (aedes, MQTT 3.1.1). Stations use the fleet's broker; this
 * exists so `npm start` needs nothing installed.
 */
export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly host: string,
    private readonly requestedPort: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    try {
      this.port = await listenOn(
        server,
        this.host,
        this.requestedPort,
        "broker.port (or --broker-port)",
        "broker",
      );
    } catch (err) {
      broker.close();
      throw err;
    }
    this.broker = broker;
    this.server = server;
    this.log.info({ url: this.url }, "embedded MQTT broker listening");
  }

  get url(): string {
    return `mqtt://${this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
