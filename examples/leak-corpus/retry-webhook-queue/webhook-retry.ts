/**
 * A webhook sender queues failed deliveries for retry. The partner endpoint
 * is down, every retry fails, and a failed retry is put back in the queue
 * with no limit on attempts or age, so the queue only grows.
 */

/** WebhookDelivery is one delivery with its payload. */
interface WebhookDelivery {
  id: string;
  attempts: number;
  payload: string;
}

/** RetryQueue holds failed deliveries until they succeed. */
export class RetryQueue {
  readonly pending: WebhookDelivery[] = [];

  /** enqueue puts a failed delivery in the queue. */
  enqueue(delivery: WebhookDelivery): void {
    this.pending.push(delivery);
  }

  /** retryDue retries every pending delivery once; the ones that fail again go back in the queue. */
  retryDue(send: (d: WebhookDelivery) => boolean): void {
    const due = this.pending.splice(0, this.pending.length);
    for (const delivery of due) {
      delivery.attempts++;
      if (!send(delivery)) this.enqueue(delivery);
    }
  }
}

/** webhookRetries is the sender's retry queue. */
export const webhookRetries = new RetryQueue();

/** buildWebhookPayload serializes the event a partner receives. */
export function buildWebhookPayload(eventId: string, seq: number): string {
  const lines: { event: string; index: number; amountCents: number; memo: string }[] = [];
  for (let i = 0; i < 450; i++) lines.push({ event: eventId, index: i, amountCents: seq * 10 + i, memo: `invoice line ${i}` });
  return JSON.stringify({ eventId, type: 'invoice.paid', lines });
}

/** sendToPartner delivers a webhook; the partner is down, so it always fails. */
function sendToPartner(delivery: WebhookDelivery): boolean {
  return delivery.payload.length < 0;
}

/** deliverWebhook tries once and queues the delivery for retry on failure. */
export function deliverWebhook(eventId: string, seq: number): string {
  const delivery = { id: eventId, attempts: 1, payload: buildWebhookPayload(eventId, seq) };
  if (!sendToPartner(delivery)) webhookRetries.enqueue(delivery);
  return JSON.stringify({ eventId, queued: webhookRetries.pending.length });
}

/** startRetryLoop retries the queue every second. */
export function startRetryLoop(): NodeJS.Timeout {
  return setInterval(() => webhookRetries.retryDue(sendToPartner), 1000);
}
