import type { Frame, HeapObservation } from './heap-observation.js';
import { isRuntimeFrame } from '../profile/runtime-frame.js';

/** Granularity of an allocation site: per function (pprof's default) or per source line. */
export type Granularity = 'functions' | 'lines';

/** SiteOptions say how stacks are turned into sites. */
export interface SiteOptions {
  granularity: Granularity;
  /**
   * internal matches frames that are the runtime's, not the program's (the
   * `toString` in node:buffer that actually makes the string). The site is
   * the first frame from the leaf that is not internal, because that is the
   * line a person can change; the internal frames stay in the displayed chain.
   */
  internal: (frame: Frame) => boolean;
}

/** defaultSiteOptions: function granularity, Node internals skipped. */
export function defaultSiteOptions(): SiteOptions {
  return { granularity: 'functions', internal: isRuntimeFrame };
}

/** SiteSeries is one allocation site's in-use bytes at every observation. */
export interface SiteSeries {
  /** key identifies the site: function and file, plus line at line granularity. */
  key: string;
  /** site is the allocating frame; at function granularity its line is the one on the heaviest stack. */
  site: Frame;
  /**
   * stack is the heaviest full stack through this site in the latest
   * observation where it appears (leaf first), for display: the caller chain.
   */
  stack: readonly Frame[];
  /** bytes[i] is the in-use bytes at observation i (0 where the site is absent). */
  bytes: number[];
  /** objects[i] is the in-use object count at observation i. */
  objects: number[];
}

/**
 * siteSeries groups every observation's samples by allocation site and lines
 * them up in time, so each site has one value per observation. A site missing
 * from a profile had nothing in use then: 0, not a gap.
 */
export function siteSeries(observations: readonly HeapObservation[], options: SiteOptions = defaultSiteOptions()): SiteSeries[] {
  const sites = new Map<string, SiteSeries>();
  observations.forEach((obs, index) => {
    // Per observation: bytes per stack of each site, to pick the caller chain to
    // show. Stacks are told apart by identity: observations from profiles share
    // one array per distinct stack (StackInterner).
    const stackBytes = new Map<string, Map<readonly Frame[], number>>();
    for (const sample of obs.samples) {
      if (sample.bytes === 0 || sample.stack.length === 0) continue;
      const at = siteIndex(sample.stack, options.internal);
      const frame = sample.stack[at]!;
      const key = siteKey(frame, options.granularity);
      let series = sites.get(key);
      if (!series) {
        series = {
          key,
          site: frame,
          stack: sample.stack,
          bytes: new Array<number>(observations.length).fill(0),
          objects: new Array<number>(observations.length).fill(0),
        };
        sites.set(key, series);
      }
      series.bytes[index]! += sample.bytes;
      series.objects[index]! += sample.objects;
      let perStack = stackBytes.get(key);
      if (!perStack) stackBytes.set(key, (perStack = new Map()));
      perStack.set(sample.stack, (perStack.get(sample.stack) ?? 0) + sample.bytes);
    }
    for (const [key, perStack] of stackBytes) {
      const series = sites.get(key)!;
      let best: readonly Frame[] | undefined;
      let bestBytes = -1;
      for (const [stack, bytes] of perStack) {
        if (bytes > bestBytes) [best, bestBytes] = [stack, bytes];
      }
      // Later observations win: the chain shown is the one holding memory now.
      series.stack = best!;
      series.site = best![siteIndex(best!, options.internal)]!;
    }
  });
  return [...sites.values()];
}

/** siteIndex is the index in a leaf-first stack of the allocating frame we attribute to. */
export function siteIndex(stack: readonly Frame[], internal: (frame: Frame) => boolean): number {
  for (let i = 0; i < stack.length; i++) if (!internal(stack[i]!)) return i;
  return 0;
}

/** siteKey names a frame at a granularity. */
export function siteKey(frame: Frame, granularity: Granularity): string {
  return granularity === 'lines' ? `${frame.functionName}\u0000${frame.file}\u0000${frame.line}` : `${frame.functionName}\u0000${frame.file}`;
}
