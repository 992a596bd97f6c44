/** The profile service as a corpus service: mostly new users, so the cache fills, then evicts. */
import { runCorpusService } from '../corpus-service.js';
import { getProfile } from './lru-cache.js';

await runCorpusService({ name: 'healthy-lru-cache', handle: ({ requestId }) => getProfile(requestId) });
