/** The webhook sender as a corpus service: one event per request. */
import { runCorpusService } from '../corpus-service.js';
import { deliverWebhook, startRetryLoop } from './webhook-retry.js';

startRetryLoop().unref();
await runCorpusService({ name: 'retry-webhook-queue', handle: ({ requestId, seq }) => deliverWebhook(requestId, seq) });
