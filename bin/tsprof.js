#!/usr/bin/env node
// Thin launcher: the CLI ships compiled (dist/) so it starts without a TypeScript loader.
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`tsprof: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
