/**
 * An order service publishes order events on a process-wide bus. Each
 * checkout subscribes a listener to learn when its order ships, and never
 * unsubscribes: the bus keeps every checkout's context alive.
 */
import { EventEmitter } from 'node:events';

/** orderBus carries 'order' events to every subscriber. */
export const orderBus = new EventEmitter();
orderBus.setMaxListeners(0);

/** Cart is the context a checkout keeps while it waits. */
interface Cart {
  orderId: string;
  lines: { sku: string; quantity: number; priceCents: number; title: string }[];
}

/** buildCart builds the cart of one checkout. */
export function buildCart(orderId: string, seq: number): Cart {
  const lines: Cart['lines'] = [];
  for (let i = 0; i < 300; i++) lines.push({ sku: `SKU-${seq}-${i}`, quantity: 1 + (i % 4), priceCents: 199 + i, title: `Item ${i} of order ${orderId}` });
  return { orderId, lines };
}

/** checkout builds the cart and subscribes to shipping news of its order (the listener is never removed). */
export function checkout(orderId: string, seq: number): string {
  const cart = buildCart(orderId, seq);
  orderBus.on('order', (event: { orderId: string; status: string }) => {
    if (event.orderId === cart.orderId && event.status === 'shipped') console.log(`order ${cart.orderId} shipped with ${cart.lines.length} lines`);
  });
  return JSON.stringify({ orderId, lines: cart.lines.length });
}
