/** The reusing frame encoder as a corpus service: one frame per request. */
import { runCorpusService } from '../corpus-service.js';
import { encodeFrame } from './frame-pool.js';

await runCorpusService({ name: 'healthy-buffer-pool-reused', handle: ({ requestId }) => encodeFrame(requestId) });
