/**
 * The kernel log as `dmesg` prints it: each `klog` record as "[%5lu.%06lu] TEXT", seconds
 * and microseconds of the virtual clock (kernel/printk/printk.c print_time), and the level
 * names of util-linux dmesg's -l.
 */
import type { TraceRecord } from '../sim/core/trace.ts';
import { KLOG_LEVELS } from '../sim/trace-kinds.ts';

export type KlogLevel = (typeof KLOG_LEVELS)[number];

/** "[    0.001234]": print_time's "[%5lu.%06lu]" of a virtual time in ns. */
export function dmesgTime(ns: number): string {
  const sec = Math.floor(ns / 1e9);
  const usec = Math.floor((ns % 1e9) / 1000);
  return `[${String(sec).padStart(5)}.${String(usec).padStart(6, '0')}]`;
}

export function dmesgLine(r: TraceRecord): string {
  return `${dmesgTime(r.t)} ${String((r as { text?: unknown }).text)}`;
}

/** dmesg -l's names (util-linux says "warn"; the kernel's KERN_WARNING is "warning" here). */
const LEVEL_WORDS: Readonly<Record<string, KlogLevel>> = {
  ...Object.fromEntries(KLOG_LEVELS.map((l) => [l, l])),
  warn: 'warning',
};

/** "err,warn" -> the levels; an unknown name: the error message (with the accepted names). */
export function parseLevels(text: string): Set<KlogLevel> | string {
  const out = new Set<KlogLevel>();
  for (const w of text.split(',')) {
    const l = LEVEL_WORDS[w.trim()];
    if (!l) return `unknown log level "${w}": one of ${[...KLOG_LEVELS.slice(0, 4), 'warn', ...KLOG_LEVELS.slice(5)].join(', ')} (comma-separated)`;
    out.add(l);
  }
  return out;
}
