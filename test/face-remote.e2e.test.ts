import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import { TelemetrySchema } from "../controller/contract/telemetry.ts";
import { commandEnvelope } from "../scripts/central/sign.ts";
import { encodeJpeg } from "../simulator/face/image-encode.ts";
import { SAMPLE_FACES, sampleFaceImage } from "../simulator/face/sample-faces.ts";
import { type FaceStation, faceStation } from "./support/face-station.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { Central, newKey, pinLine, ROOT, STATION } from "./support/remote-station.ts";
import { waitFor } from "./support/wait.ts";

const T = 120_000;

/**
 * Enrolment and forget-person as the centre sends them: signed envelopes over a real Mosquitto,
 * through the command router to the face subsystem and the real face process, answered on the
 * reply topic. A JPEG enrolment image fits a command once `remote.maxMessageBytes` allows it.
 */
describe("face enrol and forget-person by signed MQTT command", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;
  const broker = new Mosquitto();
  const central = new Central(() => broker.url);
  const key = newKey("central-a");
  const spare = newKey("central-b");
  const stranger = newKey("central-a");
  let s: FaceStation;

  beforeAll(async () => {
    await broker.start();
    await central.start();
    s = await faceStation({
      stationId: STATION,
      brokerUrl: broker.url,
      mqtt: "telemetry: { heartbeatS: 1, minIntervalMs: 200 }",
      extra: `remote:\n  keys: [${pinLine(key.kid, key.publicKey)}, ${pinLine(spare.kid, spare.publicKey)}]\n  maxMessageBytes: 262144\n`,
    });
    await waitFor(() => s.booted.station.state().face?.status === "up", "the face process to load", T, 50);
    // the station's first event reaching the centre: its link is up
    s.booted.station.bus.emit("face.terminal-refused", { refusal: "malformed" });
    await central.event("face.terminal-refused", () => true, 30_000);
    await central.subscribe(`${ROOT}/telemetry`);
  }, T * 2);

  afterAll(async () => {
    await s?.booted.stop();
    await central.stop();
    await broker.stop();
  });

  const granted = (from: number) =>
    s.events.slice(from).filter((e): e is StationEvent<"access.granted"> => e.type === "access.granted");
  const image = Buffer.from(encodeJpeg(sampleFaceImage(SAMPLE_FACES["man.enrol"]), 85)).toString("base64");
  const enrol = (personId: string) =>
    commandEnvelope({
      station: STATION,
      name: "face-enrol",
      args: { personId, consent: "kiosk-session-77", images: [image] },
    });

  it(
    "the face process's health and RSS reach the centre in telemetry",
    async () => {
      const msg = await waitFor(
        () =>
          central.raw.find(
            (m) =>
              m.topic.endsWith("/telemetry") &&
              (m.json as { face?: { status?: string; rssMb?: number } }).face?.rssMb !== undefined,
          ),
        "telemetry with the face process's RSS",
        30_000,
      );
      const t = TelemetrySchema.parse(msg.json);
      expect(t.face).toMatchObject({ status: "up", restarts: 0 });
      // the face process's own memory, not the station's: models and tfjs take well over 100 MB
      expect(t.face?.rssMb).toBeGreaterThan(100);
      expect(t.face?.rssMb).not.toBe(t.process.rssMb);
    },
    T,
  );

  it(
    "a forged enrolment is refused and enrols nobody",
    async () => {
      const e = enrol("intruder");
      expect(await central.command(stranger, e)).toMatchObject({ status: "error", code: "BAD_SIGNATURE" });
      const from = await s.show("man.turning");
      expect(granted(from)).toHaveLength(0);
    },
    T,
  );

  it(
    "a signed enrolment enrols the face, audited with its key; the face then grants",
    async () => {
      const e = enrol("remote-man");
      expect(await central.command(key, e)).toMatchObject({ status: "ok", data: { templates: 1 } });
      await central.event(
        "face.enrolled",
        (x) => x.personId === "remote-man" && x.consent === "kiosk-session-77",
      );
      await central.event("cmd.executed", (x) => x.commandId === e.id && x.principal === "central:central-a");
      const from = await s.show("man.turning");
      expect(granted(from)).toMatchObject([{ personId: "remote-man", method: "face" }]);
    },
    T,
  );

  it(
    "a signed forget-person answers when done; the face is refused afterwards",
    async () => {
      const e = commandEnvelope({
        station: STATION,
        name: "forget-person",
        args: { personId: "remote-man" },
      });
      expect(await central.command(key, e, "forget-person")).toMatchObject({
        status: "ok",
        data: { templatesRemoved: true, credentialsRemoved: 1 },
      });
      await central.event("face.forgotten", (x) => x.personId === "remote-man");
      const from = await s.show("man2.turning");
      expect(granted(from)).toHaveLength(0);
      // the face process's own count, from its next health answer
      await waitFor(() => s.booted.station.state().face?.templates === 0, "no templates left", 30_000);
    },
    T,
  );
});
