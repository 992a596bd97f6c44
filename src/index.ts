// Public library surface of tsprof; each area re-exports what users may call.
export { TsprofError, UsageError } from './errors.js';
