export { seededRandom } from '../../examples/metrics-fetcher/seeded-random.js';

/** gaussian draws a standard normal value from a uniform source (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
