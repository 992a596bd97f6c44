/** The job runner as a corpus service: one job per request. */
import { runCorpusService } from '../corpus-service.js';
import { runJob } from './completion-hooks.js';

await runCorpusService({ name: 'closure-completion-hooks', handle: ({ requestId, seq }) => runJob(requestId, seq) });
