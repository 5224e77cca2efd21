/**
 * Swarm progress on stderr: on a terminal one line redrawn in place (a bar, seeds done,
 * failing so far, seeds per second and the time left); otherwise a plain line at every
 * tenth of the seeds, for CI logs.
 */
import type { PoolProgress } from './pool.ts';

const BAR = 24;

function clock(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.ceil(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function progressReporter(stream: NodeJS.WriteStream): { update(p: PoolProgress): void; done(): void } {
  const t0 = Date.now();
  const tty = !!stream.isTTY;
  let lastDraw = 0;
  let lastTenth = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      const secs = (now - t0) / 1000;
      const rate = secs > 0 ? p.done / secs : 0;
      if (tty) {
        if (now - lastDraw < 100 && p.done < p.total) return;
        lastDraw = now;
        const fill = Math.round((BAR * p.done) / p.total);
        const eta = rate > 0 ? clock((p.total - p.done) / rate) : '?';
        const text = `${p.done}/${p.total} seeds, ${p.failing} failing, ${Math.round(rate)}/s, ETA ${eta}`;
        const bar = `[${'#'.repeat(fill)}${'.'.repeat(BAR - fill)}] `;
        // A narrow terminal loses the bar, never a number.
        stream.write(`\r${bar.length + text.length < (stream.columns || 80) ? bar : ''}${text}\x1b[K`);
        drawn = true;
        return;
      }
      const tenth = Math.floor((10 * p.done) / p.total);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`dmadbg: swarm ${p.done}/${p.total} seeds (${tenth * 10}%), ${p.failing} failing, ${Math.round(rate)} seeds/s\n`);
      }
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
