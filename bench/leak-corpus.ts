// Runs the whole leak corpus (examples/leak-corpus/) through `tsprof watch -snapshots` at the
// defaults (60 s, 5 s interval) and records, per case, whether the verdict names the expected
// site and holder, or, for a healthy service, whether it stays quiet.
//
//   npx tsc -p . && node dist/bench/leak-corpus.js [--interval 5s] [--duration 60s]
//        [--concurrency 2] [--warmup-ms 3000] [--case NAME-SUBSTRING ...] [--node PATH] [--out FILE]
//        [--outputs DIR]
//
// Prints a markdown table to stdout; --out also writes it (with the Node version and the
// settings) to FILE; --outputs writes each case's whole watch output to DIR/<case>.txt. Exit status 0 when every case passes, 1 otherwise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { corpusCases } from '../examples/leak-corpus/manifest.js';
import { formatCorpusTable, runCorpus } from '../examples/leak-corpus/run-corpus.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
function options(name: string): string[] {
  const found: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === name && process.argv[i + 1] !== undefined) found.push(process.argv[i + 1]!);
  });
  return found;
}

const interval = option('--interval', '5s');
const duration = option('--duration', '60s');
const concurrency = Number(option('--concurrency', '2'));
const node = option('--node', process.execPath);
const out = option('--out', '');
const outputs = option('--outputs', '');
const warmupMs = Number(option('--warmup-ms', '3000'));
const filters = options('--case');
if (!Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write(`leak-corpus: --concurrency ${option('--concurrency', '')}: want a whole number >= 1\n`);
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
