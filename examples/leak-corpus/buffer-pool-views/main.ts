/** The frame encoder as a corpus service: one frame per request. */
import { runCorpusService } from '../corpus-service.js';
import { encodeFrame } from './buffer-pool.js';

await runCorpusService({ name: 'buffer-pool-views', handle: ({ requestId }) => encodeFrame(requestId) });
