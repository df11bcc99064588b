#!/usr/bin/env node
// The `desk` command. The CLI is bundled by `npm run build` (npm install runs it).
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('desk: MFA Desk is not built yet. Run `npm run build` (npm install does it for you).');
  process.exit(1);
}
await import(cli.href);
