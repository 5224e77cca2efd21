// Determinism rests on sim/ never reading a clock, Math.random, timers or promises. This
// scan fails the build the moment someone reaches for one. Imports (no file system, no
// React, nothing outside sim/) are test/layers.test.ts's job.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/scenario.ts';

const FORBIDDEN = [
  /Date\.now|new Date\(/,
  /performance\.now|process\.hrtime/,
  /Math\.random/,
  /setTimeout|setInterval|setImmediate|queueMicrotask/,
  /\basync\b|\bawait\b|Promise\b/,
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/sim purity', () => {
  it('uses no clocks, randomness, timers or promises', () => {
    const offences: string[] = [];
    for (const f of files(join(ROOT, 'src', 'sim'))) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        // Code only: drop comments and string literals (a clock may be *named* "async").
        if (/^\s*(\/\*\*?|\*)/.test(line)) return;
        const code = line.replace(/\/\/.*$/, '').replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "''");
        for (const re of FORBIDDEN) if (re.test(code)) offences.push(`${f.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offences).toEqual([]);
  });

  it('catches no exceptions outside the machine: the debugger halts inside events by throwing', () => {
    // Machine.haltTest throws from emit() and step() catches it; a catch in a model would
    // swallow the halt and let the handler run on past the record the user stopped at.
    const offences: string[] = [];
    for (const f of files(join(ROOT, 'src', 'sim'))) {
      if (f.endsWith(join('sim', 'machine.ts'))) continue;
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*(\/\*\*?|\*)/.test(line)) return;
        const code = line.replace(/\/\/.*$/, '').replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "''");
        if (/\bcatch\b/.test(code)) offences.push(`${f.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offences).toEqual([]);
  });
});
