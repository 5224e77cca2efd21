/**
 * printk as the models' call sites use it: plain lines, the `_once` variants (one line per
 * call site per boot), the ratelimited ones (include/linux/ratelimit.h: DEFAULT_RATELIMIT
 * _INTERVAL 5 s, _BURST 10, each call site its own state; printk_ratelimit() one global
 * state) and the first line of a WARN splat (kernel/panic.c __warn). Every line is a `klog`
 * record. What "once" and the ratelimit windows remember is machine state (a snapshot
 * carries it), created the first time a model prints this way.
 */
import type { Machine } from '../machine.ts';
import type { KLOG_LEVELS } from '../trace-kinds.ts';
import { modelKey } from './keys.ts';

export type KlogLevel = (typeof KLOG_LEVELS)[number];

/** DEFAULT_RATELIMIT_INTERVAL (5 * HZ) and DEFAULT_RATELIMIT_BURST. */
export const RATELIMIT_INTERVAL_NS = 5_000_000_000;
export const RATELIMIT_BURST = 10;

interface RatelimitState {
  begin: number;
  printed: number;
  missed: number;
}

export interface PrintkState {
  /** Call sites whose _once line (or WARN_ON_ONCE splat) was printed. */
  once: string[];
  /** Per call site ("printk_ratelimit" for the global one): the current window. */
  windows: Record<string, RatelimitState>;
}

export const PRINTK_MODEL = modelKey<PrintkState>('printk');

function printkState(m: Machine): PrintkState {
  return m.findModel(PRINTK_MODEL) ?? m.addModel(PRINTK_MODEL, { once: [], windows: {} });
}

export function printk(m: Machine, level: KlogLevel, text: string): void {
  m.emit('klog', { level, text });
}

/** Has the _once site printed already? A caller on a hot path formats its text only while it has not. */
export function printedOnce(m: Machine, site: string): boolean {
  return printkState(m).once.includes(site);
}

/** printk_once / dev_err_once: the first call at `site` prints; false when it did not. */
export function printkOnce(m: Machine, site: string, level: KlogLevel, text: string): boolean {
  if (printedOnce(m, site)) return false;
  printkState(m).once.push(site);
  printk(m, level, text);
  return true;
}

/**
 * ___ratelimit(rs, func) (lib/ratelimit.c): true while the window's burst lasts. A new
 * window first reports what the last one suppressed, as "FUNC: N callbacks suppressed".
 */
export function ratelimit(m: Machine, site: string, func: string): boolean {
  const st = printkState(m);
  const now = m.state.now;
  let rs = st.windows[site];
  if (!rs) st.windows[site] = rs = { begin: now, printed: 0, missed: 0 };
  if (now > rs.begin + RATELIMIT_INTERVAL_NS) {
    if (rs.missed) printk(m, 'warning', `${func}: ${rs.missed} callbacks suppressed`);
    rs.begin = now;
    rs.printed = 0;
    rs.missed = 0;
  }
  if (rs.printed < RATELIMIT_BURST) {
    rs.printed++;
    return true;
  }
  rs.missed++;
  return false;
}

/** dev_err_ratelimited & co: the call site's own window; `func` is the caller (__func__). */
export function printkRatelimited(m: Machine, site: string, func: string, level: KlogLevel, text: string): boolean {
  if (!ratelimit(m, site, func)) return false;
  printk(m, level, text);
  return true;
}

/** printk_ratelimit() (kernel/printk/printk.c): one window for every caller; `func` is the caller. */
export function printkRatelimit(m: Machine, func: string): boolean {
  return ratelimit(m, 'printk_ratelimit', func);
}

/**
 * The first line of a WARN/WARN_ON splat, "WARNING: CPU: 0 PID: 1 at FILE:LINE FUNC" (__warn
 * prints the caller as %pS; its +offset/size is not modelled). `once` makes it WARN_ON_ONCE.
 */
export function warnSplat(m: Machine, file: string, line: number, func: string, once = false): boolean {
  const text = `WARNING: CPU: 0 PID: 1 at ${file}:${line} ${func}`;
  if (once) return printkOnce(m, `${file}:${line}`, 'warning', text);
  printk(m, 'warning', text);
  return true;
}
