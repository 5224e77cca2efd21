/** The limits table, for the layers above the debugger (the SSH server reads it here). */
export { LIMITS, LIMIT_ROWS } from '../sim/limits.ts';
