#!/usr/bin/env node
// Launcher for the built CLI (npm run build writes dist/). Kept as plain JS so `npx layerbench` works.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../../dist/main/cli/entry.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write('layerbench: not built yet; run `npm run build` (or `npm run setup`) first\n');
  process.exit(2);
}
await import(built.href);
