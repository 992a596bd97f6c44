/**
 * A stock service waits for a reservation event per request, with a
 * listener on a process-wide bus that it removes when the request finishes
 * (success or timeout). The listener list stays short.
 */
import { EventEmitter } from 'node:events';

/** inventoryBus carries 'reserved' events. */
export const inventoryBus = new EventEmitter();
inventoryBus.setMaxListeners(0);

/** buildReservation builds the lines of one reservation. */
export function buildReservation(reservationId: string): { sku: string; quantity: number }[] {
  const lines: { sku: string; quantity: number }[] = [];
  for (let i = 0; i < 350; i++) lines.push({ sku: `${reservationId}-${i}`, quantity: 1 + (i % 3) });
  return lines;
}

/** reserveStock waits (briefly) for the reservation event, then removes its listener. */
export async function reserveStock(reservationId: string): Promise<string> {
  const lines = buildReservation(reservationId);
  let onReserved: (id: string) => void = () => {};
  try {
    await new Promise<void>((resolve) => {
      onReserved = (id: string) => {
        if (id === reservationId) resolve();
      };
      inventoryBus.on('reserved', onReserved);
      setTimeout(resolve, 50);
    });
  } finally {
    inventoryBus.off('reserved', onReserved);
  }
  return JSON.stringify({ reservationId, lines: lines.length, listeners: inventoryBus.listenerCount('reserved') });
}
