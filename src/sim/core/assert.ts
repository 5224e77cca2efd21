/** A broken invariant inside the simulator: a dmadbg bug, never a user mistake. */
export class SimAssertionError extends Error {
  override name = 'SimAssertionError';
}

export function assert(cond: unknown, why = 'assertion failed'): asserts cond {
  if (!cond) throw new SimAssertionError(why);
}

/** Exhaustiveness check for switches over discriminated unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new SimAssertionError(`unexpected ${what}: ${JSON.stringify(x)}`);
}
