/** The upload service as a corpus service: one upload per request. */
import { runCorpusService } from '../corpus-service.js';
import { acceptUpload } from './upload-service.js';

await runCorpusService({ name: 'listeners-abort-signal', handle: ({ requestId }) => acceptUpload(requestId) });
