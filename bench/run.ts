/**
 * `npm run bench`: lists the benchmarks, checks that what they need is
 * installed, and runs one or all of them.
 *
 *   npm run bench                          # the table: name, what it measures, anchor, target
 *   npm run bench -- NAME [FLAGS...]       # one bench; FLAGS go to it (e.g. prometheus-parse -size 20)
 *   npm run bench -- all                   # every bench at its default flags, in table order
 *   npm run bench -- -check                # what is missing for which bench, and how to install it
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorInstalled } from './anchors.js';
import { type Bench, type Requirement, benches } from './benches.js';
import { defaultLargeProfilePath } from './pprof-large-profile.js';
import { parseBenchFlags } from './support/bench-flags.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const table = benches(defaultLargeProfilePath);

/** missing returns one line per requirement of bench that is not met here. */
function missing(bench: Bench): string[] {
  return bench.requires.flatMap((r) => (met(r) ? [] : [describeMissing(r)]));
}

function met(r: Requirement): boolean {
  switch (r.kind) {
    case 'anchor':
      return anchorInstalled(r.name);
    case 'command':
      return isAbsolute(r.name) ? existsSync(r.name) : spawnSync('sh', ['-c', `command -v ${r.name}`], { stdio: 'ignore' }).status === 0;
    case 'input':
      return existsSync(r.path());
  }
}

function describeMissing(r: Requirement): string {
  switch (r.kind) {
    case 'anchor':
      return `the anchor ${r.name} is not installed: run \`npm run bench:setup\``;
    case 'command':
      return `${r.name} is not installed: ${r.install}`;
    case 'input':
      return `${r.path()} does not exist: ${r.make}`;
  }
}

function list(): void {
  process.stdout.write('benchmarks (npm run bench -- NAME [FLAGS], or all; NAME -help lists its flags):\n\n');
  for (const b of table) {
    const gaps = missing(b);
    process.stdout.write(`${b.name}${gaps.length ? '   [not ready: see -check]' : ''}\n`);
    process.stdout.write(`  measures  ${b.measures}\n  anchor    ${b.anchor}\n  target    ${b.target}\n  takes     ${b.duration}\n\n`);
  }
}

function run(bench: Bench, args: string[]): number {
  // -help needs nothing installed.
  if (!args.includes('-help') && !args.includes('--help')) {
    const gaps = missing(bench);
    if (gaps.length) {
      for (const gap of gaps) process.stderr.write(`bench ${bench.name}: ${gap}\n`);
      return 1;
    }
  }
  process.stdout.write(`== ${bench.name} ${args.join(' ')} (${new Date().toISOString().slice(0, 16)}Z)\n`);
  const child = spawnSync(process.execPath, [join(here, `${bench.name}.js`), ...args], { stdio: 'inherit' });
  return child.status ?? 1;
}

const argv = process.argv.slice(2);
const at = argv.findIndex((a) => !a.startsWith('-'));
const own = parseBenchFlags('bench [-check] [NAME|all] [FLAGS...]', {
  check: { kind: 'bool', default: false, help: 'say what each bench is missing, and exit' },
}, at < 0 ? argv : argv.slice(0, at)).values;
const name = at < 0 ? undefined : argv[at]!;
const rest = at < 0 ? [] : argv.slice(at + 1);

if (own.check) {
  let ready = true;
  for (const b of table) {
    const gaps = missing(b);
    ready &&= gaps.length === 0;
    process.stdout.write(gaps.length ? gaps.map((g) => `${b.name}: ${g}\n`).join('') : `${b.name}: ready\n`);
  }
  process.exitCode = ready ? 0 : 1;
} else if (name === undefined) {
  list();
} else if (name === 'all') {
  if (rest.length) {
    process.stderr.write('bench: `all` runs every bench at its default flags and takes none\n');
    process.exit(2);
  }
  let failed = 0;
  for (const b of table) if (run(b, []) !== 0) failed++;
  process.exitCode = failed ? 1 : 0;
} else {
  const bench = table.find((b) => b.name === name);
  if (!bench) {
    process.stderr.write(`bench: no bench named "${name}": want one of ${table.map((b) => b.name).join(', ')}, or all\n`);
    process.exit(2);
  }
  process.exitCode = run(bench, rest);
}
