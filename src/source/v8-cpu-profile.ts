import type { FrameNamer, V8CallFrame } from './v8-frames.js';
import { PprofBuilder, type StringLabels } from './v8-pprof-builder.js';

/** V8CpuNode is a node of V8's CPU profile (Profiler domain, .cpuprofile files). */
export interface V8CpuNode {
  id: number;
  callFrame: V8CallFrame;
  hitCount?: number;
  children?: number[];
  /** Self samples per one-based source line of this function. */
  positionTicks?: { line: number; ticks: number }[];
}

/** V8CpuProfile is V8's Profiler.Profile; times are in microseconds of a monotonic clock. */
export interface V8CpuProfile {
  nodes: V8CpuNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** CpuPprofOptions says how to name frames and what to put in the header. */
export interface CpuPprofOptions {
  namer: FrameNamer;
  /** The sampling interval in microseconds; estimated from the time deltas when absent. */
  intervalMicros?: number;
  /** Wall-clock start of the profile in ns since the epoch (V8's own clock is monotonic). */
  timeNanos?: number;
  mainFile?: string;
  /**
   * Recovers functions V8 inlined without reporting them (see
   * inlined-call-sites.ts); absent where V8 reports inlined frames itself.
   */
  inlinedCalls?: InlinedCallRecovery;
  /**
   * labelsAt gives the string labels of the sample taken at `micros` (V8's
   * clock, as the profile's startTime), asked in increasing time order; the
   * samples of a node are then split by their labels.
   */
  labelsAt?: (micros: number) => StringLabels | undefined;
}

/**
 * InlinedCallRecovery is the seam to the scripts' sources: the agent reads them,
 * the conversion stays free of I/O.
 */
export interface InlinedCallRecovery {
  /**
   * inlinedAt says which inlined functions a position tick at one-based `line`,
   * reported under `frame`, belongs to (leaf first, `frame` not included), and
   * whether `line` is the leaf's own line (else it is the line of the call in
   * `frame`); undefined when the tick is `frame`'s own. No frames and
   * lineKnown false: the line is not in `frame`'s script (code inlined from
   * another), so the tick is `frame`'s at an unknown line.
   */
  inlinedAt(frame: V8CallFrame, line: number): { frames: V8CallFrame[]; lineKnown: boolean } | undefined;
  /** Which V8 leaves the frames out, for the profile's comment (e.g. "V8 13.6"). */
  runtime: string;
}

/** Names of V8 pseudo-frames that are not CPU time: waiting in the event loop. */
const idleFrameNames = new Set(['(idle)']);

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * cpuProfileToPprof converts a V8 CPU profile to pprof with `samples/count` and
 * `cpu/nanoseconds`. V8 records each sample's node and the time since the
 * previous sample; a sample is charged the time until the next one (the last
 * one the interval), so the values add up to the sampled wall time even when
 * V8's sampler falls behind on a busy machine. `(idle)` samples (the thread
 * waiting in the event loop) are not CPU time and are left out, as Go's CPU
 * profile has no samples for a sleeping program.
 *
 * V8 gives executing lines only per node, as position ticks, so each node's
 * samples are split over its lines in proportion to its ticks; caller frames
 * carry the line their function starts on (V8 does not record call sites).
 *
 * Where V8 drops inlined frames (options.inlinedCalls, see inlined-call-sites.ts),
 * ticks the source shows to be an inlined function's are charged to it: at
 * their line when the line lies inside it, else (the line of the call) at its
 * first line, its own lines not being known. A profile comment says which.
 */
export function cpuProfileToPprof(profile: V8CpuProfile, options: CpuPprofOptions): PprofBuilder {
  const nodes = new Map<number, V8CpuNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) nodes.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const intervalMicros = options.intervalMicros ?? Math.max(1, Math.round(median(deltas.slice(1))) || 1000);

  // Per node: samples and microseconds (and, with labelsAt, the same per label set).
  const counts = new Map<number, number>();
  const micros = new Map<number, number>();
  const byLabels = options.labelsAt ? new Map<number, Map<StringLabels | undefined, [count: number, micros: number]>>() : undefined;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    const next = i + 1 < samples.length ? deltas[i + 1] : undefined;
    const charged = next !== undefined && next >= 0 ? next : intervalMicros;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    micros.set(id, (micros.get(id) ?? 0) + charged);
    at += deltas[i] ?? 0;
    if (byLabels) {
      const labels = options.labelsAt!(at);
      let groups = byLabels.get(id);
      if (!groups) byLabels.set(id, (groups = new Map()));
      const group = groups.get(labels);
      if (group) {
        group[0]++;
        group[1] += charged;
      } else groups.set(labels, [1, charged]);
    }
  }
  if (samples.length === 0) {
    // Profiles without a sample list still have hit counts.
    for (const node of profile.nodes) {
      if (node.hitCount) {
        counts.set(node.id, node.hitCount);
        micros.set(node.id, node.hitCount * intervalMicros);
      }
    }
  }

  // Recovered inlined frames, found before the builder is made: its comments come first.
  type Recovery = { frames: V8CallFrame[]; lineKnown: boolean };
  const recoveredAt = new Map<V8CpuNode, Map<number, Recovery>>();
  const recoveredTicks = new Map<string, { ticks: number; lineKnown: boolean }>();
  // Ticks at lines of another script (code inlined from it), by the function they were reported under.
  const foreignTicks = new Map<string, number>();
  const inlined = options.inlinedCalls;
  if (inlined) {
    // A function's own frame in the profile, where V8 reported it elsewhere, has V8's exact positions.
    const profiled = new Map<string, V8CallFrame>();
    for (const node of profile.nodes) profiled.set(`${node.callFrame.url}\n${node.callFrame.functionName}`, node.callFrame);
    for (const [id, count] of counts) {
      const node = nodes.get(id);
      if (!node || count === 0) continue;
      for (const tick of node.positionTicks ?? []) {
        if (tick.ticks <= 0) continue;
        const found = inlined.inlinedAt(node.callFrame, tick.line);
        if (!found) continue;
        if (found.frames.length === 0) {
          let byLine = recoveredAt.get(node);
          if (!byLine) recoveredAt.set(node, (byLine = new Map()));
          byLine.set(tick.line, { frames: [], lineKnown: false });
          const key = node.callFrame.functionName || '(anonymous)';
          foreignTicks.set(key, (foreignTicks.get(key) ?? 0) + tick.ticks);
          continue;
        }
        const frames = found.frames.map((f) => profiled.get(`${f.url}\n${f.functionName}`) ?? f);
        let byLine = recoveredAt.get(node);
        if (!byLine) recoveredAt.set(node, (byLine = new Map()));
        byLine.set(tick.line, { frames, lineKnown: found.lineKnown });
        const key = `${frames[0]!.functionName} in ${node.callFrame.functionName || '(anonymous)'}`;
        const entry = recoveredTicks.get(key) ?? { ticks: 0, lineKnown: found.lineKnown };
        entry.ticks += tick.ticks;
        entry.lineKnown &&= found.lineKnown;
        recoveredTicks.set(key, entry);
      }
    }
  }
  const comments: string[] = [];
  if (inlined && recoveredTicks.size > 0) {
    const list = [...recoveredTicks].sort((a, b) => b[1].ticks - a[1].ticks);
    const named = list.slice(0, 8).map(([key, r]) => `${key}${r.lineKnown ? '' : ' (at its first line: its own lines are not known)'}`);
    comments.push(
      `${inlined.runtime} reported samples of inlined functions under their callers; ` +
        `tsprof recovered them from the source: ${named.join(', ')}${list.length > 8 ? ', …' : ''}.`,
    );
  }

  if (inlined && foreignTicks.size > 0) {
    const list = [...foreignTicks].sort((a, b) => b[1] - a[1]);
    comments.push(
      `${inlined.runtime} reported ticks at lines outside their function's source (code inlined from another script, such as a Node built-in): ` +
        `tsprof shows them at the function's first line: ${list.slice(0, 8).map(([name, ticks]) => `${name} (${ticks})`).join(', ')}${list.length > 8 ? ', …' : ''}.`,
    );
  }

  const builder = new PprofBuilder({
    sampleTypes: [
      ['samples', 'count'],
      ['cpu', 'nanoseconds'],
    ],
    periodType: ['cpu', 'nanoseconds'],
    period: intervalMicros * 1000,
    timeNanos: options.timeNanos,
    durationNanos: Math.max(0, Math.round((profile.endTime - profile.startTime) * 1000)),
    mainFile: options.mainFile,
    comments: comments.length > 0 ? comments : undefined,
  });

  // Node id → location ids of the node and all its callers (leaf first), memoized;
  // built with loops, not recursion, because stacks can be deep.
  const stackOf = new Map<number, number[]>();
  const isRoot = (id: number) => nodes.get(id)?.callFrame.functionName === '(root)' && !parent.has(id);
  const callers = (id: number): number[] => {
    const path: number[] = [];
    let at = parent.get(id);
    while (at !== undefined && !stackOf.has(at) && !isRoot(at) && nodes.has(at)) {
      path.push(at);
      at = parent.get(at);
    }
    let chain = at !== undefined ? (stackOf.get(at) ?? []) : [];
    for (let i = path.length - 1; i >= 0; i--) {
      const nodeId = path[i]!;
      chain = [builder.locationId(options.namer(nodes.get(nodeId)!.callFrame, undefined)), ...chain];
      stackOf.set(nodeId, chain);
    }
    return chain;
  };

  for (const [id, nodeCount] of counts) {
    const node = nodes.get(id);
    if (!node || idleFrameNames.has(node.callFrame.functionName) || nodeCount === 0) continue;
    const groups = byLabels?.get(id) ?? new Map([[undefined, [nodeCount, micros.get(id) ?? 0] as [number, number]]]);
    for (const [labels, [count, time]] of groups) addNodeSamples(node, count, time, labels);
  }

  /** addNodeSamples adds a node's samples (of one label set), split over its lines. */
  function addNodeSamples(node: V8CpuNode, count: number, time: number, labels: StringLabels | undefined): void {
    const stack = callers(node.id);
    const ticks = (node.positionTicks ?? []).filter((t) => t.ticks > 0);
    const totalTicks = ticks.reduce((sum, t) => sum + t.ticks, 0);
    if (totalTicks === 0) {
      const leaf = builder.locationId(options.namer(node.callFrame, undefined));
      builder.addSample([leaf, ...stack], [count, Math.round(time * 1000)], undefined, labels);
      return;
    }
    // Split counts by tick share with largest remainders, so the counts stay whole and add up.
    const shares = ticks.map((t) => (count * t.ticks) / totalTicks);
    const whole = shares.map(Math.floor);
    let left = count - whole.reduce((a, b) => a + b, 0);
    const order = shares.map((s, i) => [s - Math.floor(s), i] as const).sort((a, b) => b[0] - a[0]);
    for (const [, i] of order) {
      if (left <= 0) break;
      whole[i]!++;
      left--;
    }
    const recoveries = recoveredAt.get(node);
    ticks.forEach((t, i) => {
      const c = whole[i]!;
      if (c === 0) return;
      const recovery = recoveries?.get(t.line);
      let frames: number[];
      if (!recovery) {
        frames = [builder.locationId(options.namer(node.callFrame, t.line)), ...stack];
      } else if (recovery.frames.length === 0) {
        frames = [builder.locationId(options.namer(node.callFrame, undefined)), ...stack];
      } else {
        const [leaf, ...between] = recovery.frames;
        frames = [
          builder.locationId(options.namer(leaf!, recovery.lineKnown ? t.line : undefined)),
          ...between.map((f) => builder.locationId(options.namer(f, undefined))),
          // The caller's line is the call's when known, else (as for every caller) its start.
          builder.locationId(options.namer(node.callFrame, recovery.lineKnown ? undefined : t.line)),
          ...stack,
        ];
      }
      builder.addSample(frames, [c, Math.round((time * 1000 * t.ticks) / totalTicks)], undefined, labels);
    });
  }
  return builder;
}
