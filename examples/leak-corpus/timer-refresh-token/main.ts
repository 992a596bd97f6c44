/** The API client as a corpus service: one partner call per request. */
import { runCorpusService } from '../corpus-service.js';
import { startTokenRefresh } from './token-refresher.js';

await runCorpusService({ name: 'timer-refresh-token', handle: ({ requestId }) => startTokenRefresh(requestId) });
