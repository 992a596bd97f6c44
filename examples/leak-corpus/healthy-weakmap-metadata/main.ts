/** The tracing middleware as a corpus service: metadata per request, held weakly. */
import { runCorpusService } from '../corpus-service.js';
import { traceRequest } from './request-metadata.js';

await runCorpusService({ name: 'healthy-weakmap-metadata', handle: ({ req, requestId }) => traceRequest(req, requestId) });
