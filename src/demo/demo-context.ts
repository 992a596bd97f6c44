import { relative } from 'node:path';
import type { CliIO } from '../cli/io.js';
import type { HttpGet } from '../fetch/http-get.js';
import type { LeakReport } from '../leak/hunt.js';
import type { ChildService } from './child-service.js';
import type { HeapFigures } from './heap-profile-figures.js';
import { ProgressLine } from './progress-line.js';

/** DemoSettings are the demo's knobs (flags of `tsprof demo`). */
export interface DemoSettings {
  /** How long each mode runs, in seconds. */
  leakySeconds: number;
  fixedSeconds: number;
  /** Heap profiles taken per mode. */
  profiles: number;
  /** Approximate size of one kubelet response in bytes. */
  responseBytes: number;
  /** Pause between scrapes of the fetcher, in milliseconds. */
  intervalMs: number;
  /** Where the profiles (and snapshots) are left. */
  dir: string;
  /** Whether to run the leak engine (growth verdicts + heap snapshot retainers) on the leaky service. */
  leakEngine: boolean;
}

/** SimulatorInfo is what the kubelet simulator announces. */
export interface SimulatorInfo {
  url: string;
  pods: number;
  containers: number;
}

/** FetcherInfo is what the metrics fetcher announces. */
export interface FetcherInfo {
  mode: 'leaky' | 'fixed';
  results: string;
  agent: string;
}

/** PhasePoint is one heap profile taken during a phase. */
export interface PhasePoint {
  elapsedMs: number;
  scrapes: number;
  heapUsedBytes: number;
  file: string;
  figures: HeapFigures;
}

/** PhaseRecord is what the demo saw of one mode. */
export interface PhaseRecord {
  mode: 'leaky' | 'fixed';
  points: PhasePoint[];
  /** Least-squares growth of the memory held (in-use V8 heap + external), per minute. */
  bytesPerMinute: number;
  /** The held memory's growth over the phase, and the part of it outside the V8 heap. */
  grownBytes: number;
  grownExternalBytes: number;
}

/** DemoContext is the state the steps share. */
export class DemoContext {
  readonly progress: ProgressLine;
  simulator: ChildService<SimulatorInfo> | undefined;
  fetcher: ChildService<FetcherInfo> | undefined;
  readonly phases: PhaseRecord[] = [];
  /** The leak engine's hunt, started with the leaky phase and awaited after it. */
  hunt: Promise<LeakReport> | undefined;

  constructor(
    readonly settings: DemoSettings,
    readonly io: CliIO,
    /** http is the seam the demo's own requests go through (default node:http). */
    readonly http?: HttpGet,
  ) {
    this.progress = new ProgressLine(io.stdout, io.isTerminal);
  }

  /** print writes permanent lines (the progress line is cleared first). */
  print(text: string): void {
    this.progress.clear();
    this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** shown renders a file for printing: relative to the user's directory when under it, else absolute. */
  shown(file: string): string {
    const rel = relative(this.io.cwd, file);
    return rel !== '' && !rel.startsWith('..') ? rel : file;
  }

  phase(mode: 'leaky' | 'fixed'): PhaseRecord | undefined {
    return this.phases.find((p) => p.mode === mode);
  }

  /** stopServices stops every child process still running. */
  async stopServices(): Promise<void> {
    const children = [this.fetcher, this.simulator];
    this.fetcher = undefined;
    this.simulator = undefined;
    await Promise.all(children.map((c) => c?.stop()));
  }
}

/** DemoStep is one part of the demo; the demo is the list of them, so more can be added. */
export interface DemoStep {
  title: string;
  /** Whether the step runs with these settings (default: always). */
  enabled?: (settings: DemoSettings) => boolean;
  run(context: DemoContext): Promise<void>;
}
