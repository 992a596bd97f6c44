// Runs the whole leak corpus (examples/leak-corpus/) through `tsprof watch -snapshots` at the
// defaults (60 s, 5 s interval) and records, per case, whether the verdict names the expected
// site and holder, or, for a healthy service, whether it stays quiet.
//
//   npx tsc -p . && node dist/bench/leak-corpus.js [--interval 5s] [--duration 60s]
//        [--concurrency 2] [--warmup-ms 3000] [--case NAME-SUBSTRING ...] [--node PATH] [--out FILE]
//        [--outputs DIR] [--snapshot-dir DIR]   (Go-style flags: -case a -case b, -help lists them)
//
// Prints a markdown table to stdout; --out also writes it (with the Node version and the
// settings) to FILE; --outputs writes each case's whole watch output to DIR/<case>.txt. Exit status 0 when every case passes, 1 otherwise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { corpusCases } from '../examples/leak-corpus/manifest.js';
import { formatCorpusTable, runCorpus } from '../examples/leak-corpus/run-corpus.js';
import { parseBenchFlags } from './support/bench-flags.js';

const { values: flags } = parseBenchFlags('leak-corpus', {
  interval: { kind: 'string', default: '5s', help: "the watch's interval" },
  duration: { kind: 'string', default: '60s', help: "the watch's duration" },
  concurrency: { kind: 'int', default: 2, help: 'cases run side by side' },
  'warmup-ms': { kind: 'int', default: 3000, help: 'how long a service runs before the watch starts' },
  case: { kind: 'strings', default: [], help: 'run only the cases whose name holds this (repeatable)' },
  node: { kind: 'string', default: process.execPath, help: 'the Node that runs the services and tsprof' },
  out: { kind: 'string', default: '', help: 'also write the table, with the settings, to this file' },
  outputs: { kind: 'string', default: '', help: "write each case's whole watch output to DIR/<case>.txt" },
  'snapshot-dir': { kind: 'string', default: '', help: "keep each case's heap snapshots in DIR/<case>/" },
});
const interval = flags.interval as string;
const duration = flags.duration as string;
const concurrency = flags.concurrency as number;
const node = flags.node as string;
const out = flags.out as string;
const outputs = flags.outputs as string;
const warmupMs = flags['warmup-ms'] as number;
const filters = flags.case as string[];
if (concurrency < 1) {
  process.stderr.write(`leak-corpus: -concurrency ${concurrency}: want a whole number >= 1\n`);
  process.exit(2);
}
const cases = filters.length === 0 ? corpusCases : corpusCases.filter((c) => filters.some((f) => c.name.includes(f)));
if (cases.length === 0) {
  process.stderr.write(`leak-corpus: --case ${filters.join(' ')}: no case matches\n`);
  process.exit(2);
}
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const started = Date.now();
const results = await runCorpus(cases, {
  node,
  interval,
  duration,
  concurrency,
  warmupMs,
  ...(flags['snapshot-dir'] ? { snapshotDir: flags['snapshot-dir'] as string } : {}),
  onResult: (r) => {
    if (outputs !== '') {
      mkdirSync(outputs, { recursive: true });
      writeFileSync(join(outputs, `${r.case.name}.txt`), `exit ${r.code}\n--- stdout\n${r.out}--- stderr\n${r.err}`);
    }
    process.stderr.write(`${r.pass ? 'PASS' : 'fail'} ${r.case.name} (${r.seconds.toFixed(0)} s): ${r.verdict || r.err.split('\n')[0]}\n`);
  },
});
const header = `Leak corpus on Node ${nodeVersion}: watch -snapshots -interval=${interval} -duration=${duration}, ${concurrency} side by side, ${warmupMs} ms warm-up, ${((Date.now() - started) / 1000).toFixed(0)} s in all\n\n`;
const table = header + formatCorpusTable(results);
process.stdout.write(table);
if (out !== '') writeFileSync(out, table);
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
