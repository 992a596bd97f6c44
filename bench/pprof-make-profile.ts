/**
 * Makes the large real profile for bench/pprof-top.ts: runs Go standard
 * library test binaries with every allocation recorded (-memprofilerate=1),
 * so their heap profiles hold one sample per distinct allocation stack, and
 * merges them with pprof itself until the profile has at least 1 M samples and
 * 50 MB decoded. Takes several minutes; the result is cached outside the repo.
 *
 *   npx tsc -p . && node dist/bench/pprof-make-profile.js [-pkgs go/types,...] [-force]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseBenchFlags } from './support/bench-flags.js';
import { benchCacheDir, defaultLargeProfilePath, measureProfile } from './pprof-large-profile.js';

const MIN_SAMPLES = 1_000_000;
const MIN_DECODED_BYTES = 50 * 1000 * 1000;

function go(args: string[], cwd?: string): string {
  return execFileSync('go', args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function describe(path: string): string {
  const size = measureProfile(path);
  return `${size.samples.toLocaleString('en')} samples, ${(size.decodedBytes / 1e6).toFixed(1)} MB decoded, ${(size.compressedBytes / 1e6).toFixed(1)} MB gzipped`;
}

/** profilePackage builds pkg's test binary and runs its tests with every allocation profiled; returns the profile path. */
function profilePackage(pkg: string, cacheDir: string, force: boolean): string {
  const slug = pkg.replaceAll('/', '_');
  const out = join(cacheDir, `${slug}.mem.pb.gz`);
  if (existsSync(out) && !force) return out;
  const binary = join(cacheDir, `${slug}.test`);
  go(['test', '-c', '-o', binary, pkg]);
  // Tests read their testdata relative to the package's source directory.
  const sourceDir = go(['list', '-f', '{{.Dir}}', pkg]);
  const started = Date.now();
  process.stdout.write(`${pkg}: running tests with -memprofilerate=1 (minutes)...\n`);
  execFileSync(binary, ['-test.run', '.', '-test.memprofile', `${out}.tmp`, '-test.memprofilerate=1'], {
    cwd: sourceDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 30 * 60 * 1000,
  });
  renameSync(`${out}.tmp`, out);
  process.stdout.write(`${pkg}: ${describe(out)} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return out;
}

function main(): void {
  const flags = parseBenchFlags('pprof-make-profile', {
    // go/types type-checks hundreds of test files through deep recursive
    // descent: almost every allocation has a stack of its own.
    pkgs: { kind: 'string', default: 'go/types', help: 'comma-separated standard-library packages whose test profiles are merged' },
    force: { kind: 'bool', default: false, help: 'remake the per-package profiles even when cached' },
  });
  const cacheDir = benchCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const target = defaultLargeProfilePath();
  const parts = (flags.values.pkgs as string).split(',').filter(Boolean).map((pkg) => profilePackage(pkg, cacheDir, flags.values.force as boolean));
  if (parts.length === 1) {
    execFileSync('cp', [parts[0]!, target]);
  } else {
    // pprof itself merges: the benchmark input must not depend on tsprof.
    const pprof = join(go(['env', 'GOTOOLDIR']), 'pprof');
    execFileSync(pprof, ['-proto', '-output', `${target}.tmp`, ...parts], { stdio: ['ignore', 'ignore', 'inherit'] });
    renameSync(`${target}.tmp`, target);
  }
  const size = measureProfile(target);
  process.stdout.write(`${target}: ${describe(target)}\n`);
  if (size.samples < MIN_SAMPLES || size.decodedBytes < MIN_DECODED_BYTES) {
    rmSync(target);
    throw new Error(`too small for the benchmark (needs >= ${MIN_SAMPLES} samples and ${MIN_DECODED_BYTES / 1e6} MB decoded): add packages with -pkgs`);
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`pprof-make-profile: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
