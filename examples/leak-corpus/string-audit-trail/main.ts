/** The audited service as a corpus service: one audited update per request. */
import { runCorpusService } from '../corpus-service.js';
import { recordAudit } from './audit-trail.js';

await runCorpusService({ name: 'string-audit-trail', handle: ({ requestId, seq }) => recordAudit(requestId, seq) });
