import { z } from "zod";
import { StationConfigSchema } from "./schema.ts";

export type JsonSchema = {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [key: string]: unknown;
};

/** The JSON Schema editors use for station files; config/schema.json is this, written out. */
export function stationJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(StationConfigSchema, { io: "input" }) as JsonSchema;
  return {
    ...schema,
    $id: "https://waystation.dev/schema/station-config.json",
    title: "Waystation station configuration",
  };
}

/** The sub-schema at a config path (object keys and array indices), if the schema knows it. */
export function schemaAt(root: JsonSchema, path: readonly PropertyKey[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const key of path) {
    if (!node) return undefined;
    const candidates: JsonSchema[] = node.anyOf ?? node.oneOf ?? [node];
    let next: JsonSchema | undefined;
    for (const c of candidates) {
      if (typeof key === "number" && c.items) next = c.items;
      else if (typeof key === "string" && c.properties?.[key]) next = c.properties[key];
      if (next) break;
    }
    node = next;
  }
  return node;
}
