export * from "./errors.ts";
export * from "./json-schema.ts";
export * from "./load.ts";
export * from "./schema.ts";
export * from "./secrets.ts";
