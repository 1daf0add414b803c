import { describe, expect, it } from "vitest";
import { facePublish, RSS_STEP_MB } from "./face-state-key.ts";
import type { FaceServiceStatus } from "./face-supervisor.ts";

const health = { rssMb: 240.3, templates: 3, people: 2, tensors: 900, frames: 1, unreadable: 0 };
const up: FaceServiceStatus = { phase: "up", restarts: 0, pid: 42, health };

describe("facePublish: when the face process's status is worth a new state", () => {
  const published = facePublish(undefined, up);
  const rows: { name: string; next: FaceServiceStatus; publish: boolean }[] = [
    {
      name: "a health answer with the RSS a little moved",
      next: { ...up, health: { ...health, rssMb: 241.9, frames: 9 } },
      publish: false,
    },
    {
      name: "the RSS moved by a step",
      next: { ...up, health: { ...health, rssMb: 240.3 + RSS_STEP_MB } },
      publish: true,
    },
    {
      name: "a person enrolled",
      next: { ...up, health: { ...health, templates: 4, people: 3 } },
      publish: true,
    },
    {
      name: "unreadable template files",
      next: { ...up, health: { ...health, unreadable: 1 } },
      publish: true,
    },
    { name: "the process down", next: { ...up, phase: "backoff", health: undefined }, publish: true },
    { name: "a restart (new PID)", next: { ...up, restarts: 1, pid: 43 }, publish: true },
  ];
  it.each(rows)("$name: publish $publish", ({ next, publish }) => {
    expect(facePublish(published, next) !== undefined).toBe(publish);
  });

  it("the first status, and the first RSS after start, are worth one", () => {
    expect(facePublish(undefined, { ...up, health: undefined })).toBeDefined();
    expect(facePublish(facePublish(undefined, { ...up, health: undefined }), up)).toBeDefined();
  });

  it("an RSS wandering around any value is published once, not at every answer", () => {
    let last = facePublish(undefined, up);
    let count = 0;
    for (const rss of [239.9, 240.1, 239.8, 240.2, 255.9, 224.8, 240.0]) {
      const next = facePublish(last, { ...up, health: { ...health, rssMb: rss } });
      if (next) {
        count++;
        last = next;
      }
    }
    expect(count).toBe(0);
    const grown = facePublish(last, { ...up, health: { ...health, rssMb: 257 } });
    expect(grown?.rssMb).toBe(257);
  });
});
