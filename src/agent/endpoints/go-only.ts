import { PprofBuilder, type ValueTypeName } from '../../source/v8-pprof-builder.js';
import type { RequestContext } from './endpoint.js';
import { sendProfile } from './responses.js';

/** GoOnlyProfile names a Go profile that has no counterpart in a Node.js process. */
export type GoOnlyProfile = 'goroutine' | 'mutex' | 'block';

/** The sample types Go gives each, so collectors file the (empty) answer where they expect it. */
const goSampleTypes: Record<GoOnlyProfile, { types: ValueTypeName[]; period: ValueTypeName }> = {
  goroutine: { types: [['goroutine', 'count']], period: ['goroutine', 'count'] },
  mutex: { types: [['contentions', 'count'], ['delay', 'nanoseconds']], period: ['contentions', 'count'] },
  block: { types: [['contentions', 'count'], ['delay', 'nanoseconds']], period: ['contentions', 'count'] },
};

/** Why each is empty, in the profile's comment and the index page. */
export const goOnlyReasons: Record<GoOnlyProfile, string> = {
  goroutine: 'Node.js runs JavaScript on one thread per isolate with an event loop: there are no goroutines.',
  mutex: 'JavaScript code on the event loop holds no mutexes: there is no contention to sample.',
  block: 'Node.js does not block on synchronization primitives: waiting happens in the event loop, outside JavaScript.',
};

/**
 * serveGoOnly answers /goroutine, /mutex and /block, which Grafana Alloy and
 * Parca scrape by default: at once, with a valid empty profile of Go's sample
 * types whose comment says why, so the collectors log no error every interval.
 */
export async function serveGoOnly(ctx: RequestContext, name: GoOnlyProfile): Promise<void> {
  const { types, period } = goSampleTypes[name];
  const profile = new PprofBuilder({
    sampleTypes: types,
    periodType: period,
    period: 1,
    timeNanos: Date.now() * 1e6,
    comments: [`${goOnlyReasons[name]} This profile is empty by design; CPU time is at /profile, memory at /heap.`],
    mainFile: process.argv[1],
  });
  await sendProfile(ctx, name, profile);
}
