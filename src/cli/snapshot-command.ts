import { TsprofError } from '../errors.js';
import type { CliIO } from './io.js';

/** snapshotCommand is not built yet. */
export async function snapshotCommand(_args: string[], _io: CliIO): Promise<number> {
  throw new TsprofError('snapshot: not implemented yet');
}
