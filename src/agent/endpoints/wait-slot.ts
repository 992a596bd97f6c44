import { HttpError } from '../http-error.js';
import type { AgentState } from '../agent-runtime.js';

/** Timed requests (`?seconds=` heap deltas, CPU profiles) allowed to wait at once, per agent. */
const maxPendingWaits = 16;

/** withWaitSlot runs a timed job when fewer than maxPendingWaits are waiting in this agent, else answers 503. */
export async function withWaitSlot<T>(state: AgentState, job: () => Promise<T>): Promise<T> {
  if (state.pendingWaits >= maxPendingWaits) {
    throw new HttpError(503, `tsprof agent is busy: ${state.pendingWaits} timed profiles are running; retry later`, { 'Retry-After': '5' });
  }
  state.pendingWaits++;
  try {
    return await job();
  } finally {
    state.pendingWaits--;
  }
}
