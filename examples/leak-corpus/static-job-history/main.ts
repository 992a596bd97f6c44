/** The job runner as a corpus service: one job run per request. */
import { runCorpusService } from '../corpus-service.js';
import { JobRunner } from './job-runner.js';

const runner = new JobRunner();
await runCorpusService({ name: 'static-job-history', handle: ({ requestId, seq }) => runner.run(requestId, seq) });
