import { TsprofError } from '../errors.js';
import type { CliIO } from './io.js';

/** pprofCommand is not built yet. */
export async function pprofCommand(_args: string[], _io: CliIO): Promise<number> {
  throw new TsprofError('pprof: not implemented yet');
}
