// `dmadbg export` and the debugger's `export` as users run them: the CLI writes a trace
// that decodes to the same summary as the committed golden; jsonl is the run's trace byte
// for byte; a headless command file exports a range; mistakes are one line.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dmadbg } from '../helpers/cli.ts';
import { ROOT } from '../helpers/scenario.ts';
import { summarisePerfetto } from '../helpers/perfetto-summary.ts';

const dir = mkdtempSync(join(tmpdir(), 'dmadbg-export-'));

describe('dmadbg export', () => {
  it('--format perfetto writes the trace the decoded golden describes', () => {
    const out = join(dir, 'tf.pftrace');
    const r = dmadbg(['export', 'mtk-tf-protect', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*tf\.pftrace: 62 records as a Perfetto trace: \d+ tracks/);
    const golden = readFileSync(join(ROOT, 'test', 'golden', 'perfetto', 'mtk-tf-protect.summary.json'), 'utf8');
    expect(JSON.stringify(summarisePerfetto(readFileSync(out)), null, 1) + '\n').toBe(golden);
  });

  it('--format jsonl writes the trace of `run --json` byte for byte', () => {
    const out = join(dir, 'bus-sel.jsonl');
    const r = dmadbg(['export', 'mt8183-bus-sel', '--format', 'jsonl', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(ROOT, 'test', 'golden', 'mt8183-bus-sel.seed-1.jsonl'), 'utf8'));
  });

  it('an unwritable output is one line with exit 1; a missing -o is a usage error', () => {
    const r = dmadbg(['export', 'mtk-tf-protect', '-o', join(dir, 'no', 'such', 'dir', 'x.pftrace')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^dmadbg: --output: cannot write .*x\.pftrace: ENOENT$/);
    const u = dmadbg(['export', 'mtk-tf-protect']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/export: missing --output/);
  });

  it('the debugger command exports records SEQ..SEQ of a headless session', () => {
    const cmds = join(dir, 'export.cmds');
    writeFileSync(cmds, `break fault\ncontinue\nexport perfetto part.pftrace from 0 to 27\nexport jsonl part.jsonl to 27\nexport perfetto x.pftrace from 9999\n`);
    const r = dmadbg(['run', 'mtk-tf-protect', '--commands', cmds, '--no-record'], { cwd: dir });
    expect(r.stdout).toMatch(/Wrote records 0\.\.27 to .*part\.pftrace: 28 records as a Perfetto trace/);
    expect(r.stdout + r.stderr).toMatch(/record 9999 is not recorded yet/);
    const lines = readFileSync(join(dir, 'part.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(readFileSync(join(ROOT, 'test', 'golden', 'mtk-tf-protect.seed-1.jsonl'), 'utf8').split('\n').slice(0, 28));
    const s = summarisePerfetto(readFileSync(join(dir, 'part.pftrace')));
    // Record 27 is the first faulting access: its slice waits for a report that is past the range.
    expect(s.unbalanced).toEqual([]);
    expect(s.slices.some((x) => x.startsWith('devices/ovl0 faults: fault until reported'))).toBe(true);
  });
});
