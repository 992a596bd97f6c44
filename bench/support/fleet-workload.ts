/**
 * handleRequest is one request of the fleet benches' service: parse, compute,
 * await three times, answer. It is CPU-bound (its awaits are on setImmediate
 * and promises, no timers), so what a profiler takes shows as fewer requests.
 */
export async function handleRequest(n: number): Promise<number> {
  const body = JSON.parse(JSON.stringify({ id: n, items: Array.from({ length: 30 }, (_, i) => ({ i, name: `item-${i}`, price: i * 1.5 })) })) as {
    items: { price: number }[];
  };
  await new Promise((r) => setImmediate(r));
  let total = 0;
  for (const item of body.items) total += Math.sqrt(item.price * n);
  await Promise.resolve(total);
  await new Promise((r) => setImmediate(r));
  return JSON.stringify({ n, total }).length;
}
