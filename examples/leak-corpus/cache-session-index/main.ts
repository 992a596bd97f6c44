/** The session store as a corpus service: one login per request. */
import { runCorpusService } from '../corpus-service.js';
import { login } from './sessions.js';

await runCorpusService({ name: 'cache-session-index', handle: ({ requestId, seq }) => login(requestId, seq) });
