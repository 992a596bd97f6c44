/** The reporting endpoint as a corpus service: one report per request. */
import { runCorpusService } from '../corpus-service.js';
import { summarizeReport } from './report-builder.js';

await runCorpusService({ name: 'healthy-allocation-churn', handle: ({ requestId }) => summarizeReport(requestId) });
