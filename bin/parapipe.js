#!/usr/bin/env node
// The `parapipe` command. Node 20 cannot run TypeScript itself, so the sources are loaded
// through tsx's ESM loader (a runtime dependency): no build step stands between an edit and a run.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
