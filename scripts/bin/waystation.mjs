#!/usr/bin/env node
// The `waystation` command. The sources are TypeScript run through tsx's loader, so a clone
// needs no build step.
import { register } from "tsx/esm/api";

register();
await import("../cli.ts");
