/** The signup service as a corpus service: one signup per request. */
import { runCorpusService } from '../corpus-service.js';
import { handleSignup } from './request-logger.js';

await runCorpusService({ name: 'als-request-logs', handle: ({ requestId }) => handleSignup(requestId) });
