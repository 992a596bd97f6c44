/** The upload service as a corpus service: one upload per request. */
import { runCorpusService } from '../corpus-service.js';
import { acceptUpload } from './upload-spool.js';

// A service with hundreds of shutdown hooks would print Node's MaxListenersExceededWarning once; its
// operators raised the limit to silence it, as they often do.
process.setMaxListeners(0);
await runCorpusService({ name: 'process-exit-hooks', handle: ({ requestId, seq }) => acceptUpload(requestId, seq) });
