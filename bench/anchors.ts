/**
 * The benchmark anchors (@datadog/pprof, @pyroscope/nodejs, memlab, parse-prometheus-text-format) live in
 * bench/package.json, out of the default install: `npm run bench:setup` installs them
 * into bench/node_modules. This module finds them there, from the compiled dist/bench/
 * as from the source tree, and says what to run when they are missing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, from bench/ or dist/bench/. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bench', 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root');
    dir = up;
  }
  return dir;
})();

/** Where the anchors are installed. */
export const anchorModules = join(repoRoot, 'bench', 'node_modules');

const anchorRequire = createRequire(join(repoRoot, 'bench', 'package.json'));

/** Loads an anchor from bench/node_modules, or exits with one line saying how to install it. */
export function requireAnchor<T>(name: string): T {
  try {
    return anchorRequire(name) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    process.stderr.write(`bench: the anchor ${name} is not installed: run \`npm run bench:setup\` first\n`);
    process.exit(1);
  }
}

/** anchorInstalled tells whether an anchor's package is in bench/node_modules. */
export function anchorInstalled(name: string): boolean {
  return existsSync(join(anchorModules, name, 'package.json'));
}

/** The path of an anchor's file (a CLI script, say), or the same one-line exit. */
export function anchorPath(name: string, file: string): string {
  const path = join(anchorModules, name, file);
  if (!existsSync(path)) {
    process.stderr.write(`bench: the anchor ${name} is not installed: run \`npm run bench:setup\` first\n`);
    process.exit(1);
  }
  return path;
}

/** The part of @datadog/pprof the benches use (its own types stay with the anchor). */
export interface DatadogPprof {
  heap: {
    start(intervalBytes: number, stackDepth: number): void;
    stop(): void;
    profile(): { sample: unknown[]; encode(): Uint8Array };
  };
  time: {
    start(options: { intervalMicros: number; durationMillis: number }): void;
    stop(restart?: boolean): unknown;
  };
  encode(profile: unknown): Promise<Uint8Array>;
}

/** The part of @pyroscope/nodejs the fleet bench uses: its SDK's init, start and stop. */
export interface PyroscopeNodejs {
  init(config: {
    serverAddress: string;
    appName: string;
    flushIntervalMs: number;
    wall: { samplingDurationMs: number; samplingIntervalMicros: number; collectCpuTime: boolean };
    heap: { samplingIntervalBytes: number; stackDepth: number };
  }): void;
  start(): void;
  stop(): Promise<void>;
}
