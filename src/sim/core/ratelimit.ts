/**
 * printk rate limiting as lib/ratelimit.c does it (___ratelimit with the defaults of
 * include/linux/ratelimit.h): at most `burst` prints per `interval`; the first call of a new
 * interval warns "<func>: N callbacks suppressed" about what the last one dropped. Shared by
 * every model that prints under a ratelimit_state (VT-d dmar_fault, AMD page faults).
 */
import type { Machine } from '../machine.ts';

/** DEFAULT_RATELIMIT_INTERVAL (5 * HZ), in virtual ns, and DEFAULT_RATELIMIT_BURST. */
export const RATELIMIT_INTERVAL_NS = 5_000_000_000;
export const RATELIMIT_BURST = 10;

/** struct ratelimit_state as ___ratelimit uses it; `begin` -1 until the first call (the kernel's 0). */
export interface Ratelimit {
  begin: number;
  printed: number;
  missed: number;
}

export function ratelimitCreate(): Ratelimit {
  return { begin: -1, printed: 0, missed: 0 };
}

/** ___ratelimit(rs, func): true when this caller may print. */
export function ratelimit(m: Machine, rs: Ratelimit, func: string): boolean {
  const now = m.state.now;
  if (rs.begin < 0) rs.begin = now;
  if (now > rs.begin + RATELIMIT_INTERVAL_NS) {
    if (rs.missed) {
      m.emit('klog', { level: 'warning', text: `${func}: ${rs.missed} callbacks suppressed` });
      rs.missed = 0;
    }
    rs.begin = now;
    rs.printed = 0;
  }
  if (RATELIMIT_BURST > rs.printed) {
    rs.printed++;
    return true;
  }
  rs.missed++;
  return false;
}
