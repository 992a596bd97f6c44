/** The debug recorder as a corpus service: one record per request. */
import { runCorpusService } from '../corpus-service.js';
import { recordRequest } from './recent-requests.js';

await runCorpusService({ name: 'healthy-ring-buffer', handle: ({ requestId }) => recordRequest(requestId) });
