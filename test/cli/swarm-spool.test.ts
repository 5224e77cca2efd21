// The swarm's result spool (src/cli/swarm/spool.ts): batches come in as workers finish them
// and must read back in seed order, whole, however the reads cut the file; the file must
// not outlive the process; a directory that cannot take it is a one-line mistake.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultSpool } from '../../src/cli/swarm/spool.ts';
import { UsageError } from '../../src/cli/output.ts';
import { dmadbg } from '../helpers/cli.ts';

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'dmadbg-spool-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const batchText = (b: number) => JSON.stringify([{ seed: b * 3 + 1, outcome: 'fail', choices: [`dev=vdéc${b}`, '€'.repeat(b % 5)] }]);

describe('ResultSpool', () => {
  it('reads batches back in batch order whatever order they came in, without the all-passing ones', () => {
    const dir = scratch();
    // A 7-byte read buffer: every line, and several multi-byte characters, cross a read.
    const spool = new ResultSpool(dir, 7);
    const order = [3, 0, 2, 5, 1, 4, 8, 7, 6, 9];
    const passing = new Set([2, 7]);
    for (const b of order) spool.put(b, passing.has(b) ? '' : batchText(b));
    expect(spool.pending).toBe(0);
    const want = order.filter((b) => !passing.has(b)).sort((a, b) => a - b).map(batchText);
    expect([...spool.texts()]).toEqual(want);
    expect([...spool.texts()]).toEqual(want); // read twice: the text report, then the shrink hint
    spool.close();
  });

  it('holds a batch until every batch before it is in', () => {
    const spool = new ResultSpool(scratch());
    spool.put(1, batchText(1));
    spool.put(2, batchText(2));
    expect(spool.pending).toBe(2);
    expect([...spool.texts()]).toEqual([]);
    spool.put(0, batchText(0));
    expect(spool.pending).toBe(0);
    expect([...spool.texts()]).toEqual([0, 1, 2].map(batchText));
    spool.close();
  });

  it('leaves nothing in the directory, even while open', () => {
    const dir = scratch();
    const spool = new ResultSpool(dir);
    spool.put(0, batchText(0));
    expect(readdirSync(dir)).toEqual([]);
    expect([...spool.texts()]).toEqual([batchText(0)]);
    spool.close();
  });

  it('refuses a directory it cannot use with a one-line UsageError', () => {
    const missing = join(tmpdir(), 'dmadbg-no-such-dir', 'deeper');
    expect(() => new ResultSpool(missing)).toThrow(UsageError);
    expect(() => new ResultSpool(missing)).toThrow(`swarm: cannot keep the failing seeds' results in ${missing}: no such directory (ENOENT); set TMPDIR to a directory with room`);
  });
});

describe('dmadbg swarm with TMPDIR unusable', () => {
  it('says so in one line, exit 1, no stack trace', () => {
    const r = dmadbg(['swarm', 'mtk-swarm-flush', '--seeds', '1..50', '--fail-on', 'stale-tlb', '--json'], { env: { TMPDIR: '/nonexistent-dmadbg-dir' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe("dmadbg: swarm: cannot keep the failing seeds' results in /nonexistent-dmadbg-dir: no such directory (ENOENT); set TMPDIR to a directory with room");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
