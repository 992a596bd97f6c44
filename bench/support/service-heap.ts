/**
 * buildServiceHeap fills this process's heap with what a service holds: real
 * modules loaded (the TypeScript compiler, fast-check, pprof-format), class
 * instances in Maps and Sets, nested objects and arrays, closures over
 * per-item state, strings of all kinds (flat, concatenated, sliced), typed
 * arrays and a dictionary-mode object. SCALE multiplies the items; 1 makes a
 * snapshot of roughly 300 MB. It returns the state, to be kept alive.
 */
import { createRequire } from 'node:module';

export function buildServiceHeap(scale: number): Record<string, unknown> {
  const require = createRequire(import.meta.url);

  // Loaded modules: their code, closures and strings are a large part of real heaps.
  const loaded = [require('typescript'), require('fast-check'), require('pprof-format')];

  class Customer {
    readonly orders: Order[] = [];
    tags: string[];
    constructor(readonly id: number, readonly name: string, readonly email: string, readonly address: { city: string; zip: string }) {
      this.tags = [`tier-${id % 5}`, `region-${id % 17}`];
    }
  }

  class Order {
    readonly lines: { sku: string; quantity: number; price: number }[] = [];
    status = 'open';
    constructor(readonly id: string, readonly customer: Customer, readonly placedAt: Date) {}
  }

  const cities = ['Berlin', 'Lisbon', 'Osaka', 'Toronto', 'Nairobi', 'Lima', 'Oslo', 'Pune'];
  const customers = new Map<number, Customer>();
  const ordersById = new Map<string, Order>();
  const activeSessions = new Set<object>();
  const handlers: (() => number)[] = [];
  const lookup: Record<string, number> = {};
  const buffers: Float64Array[] = [];
  // A large response text and ids sliced out of it (V8 sliced strings), as in the story.
  const response = Array.from({ length: 20_000 }, (_, i) => `container_memory_rss{id="/kubepods/${i.toString(16).padStart(64, '0')}"} ${i}`).join('\n');
  const slicedIds: string[] = [];

  const customerCount = Math.round(150_000 * scale);
  for (let i = 0; i < customerCount; i++) {
    const customer = new Customer(i, `Customer ${i}`, `customer${i}@example.com`, { city: cities[i % cities.length]!, zip: String(10_000 + (i % 89_999)) });
    customers.set(i, customer);
    for (let k = 0; k < 2; k++) {
      const order = new Order(`ord-${i}-${k}`, customer, new Date(1_700_000_000_000 + i * 1000));
      order.lines.push({ sku: `sku-${(i * 7 + k) % 5000}`, quantity: 1 + (k % 3), price: (i % 100) + k / 10 });
      customer.orders.push(order);
      ordersById.set(order.id, order);
    }
    if (i % 3 === 0) activeSessions.add({ customer, token: `${i}-${Math.random().toString(36).slice(2)}`, started: Date.now() });
    if (i % 4 === 0) {
      const seen = i;
      handlers.push(() => seen + customer.orders.length);
    }
    if (i % 10 === 0) lookup[`key_${i}`] = i;
    if (i % 100 === 0) buffers.push(new Float64Array(64));
    if (i % 20 === 0) {
      const start = (i * 97) % (response.length - 80);
      slicedIds.push(response.slice(start, start + 64));
    }
  }
  return { loaded, customers, ordersById, activeSessions, handlers, lookup, buffers, slicedIds };
}
