// `dmadbg swarm` on the mtk-swarm-flush family (vdec0's driver re-points a page with no TLB
// flush; the other three engines flush): the same failing seeds with 1 or 2 workers and
// with any --shard split merged back; which seeds fail follows from the bug; mistakes are
// one line.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dmadbg } from '../helpers/cli.ts';
import { ROOT } from '../helpers/scenario.ts';
import { parseResults, reportJson } from '../../src/cli/swarm/report.ts';

const dir = mkdtempSync(join(tmpdir(), 'dmadbg-swarm-'));
const FAMILY = ['swarm', 'mtk-swarm-flush', '--seeds', '1..200', '--fail-on', 'stale-tlb'];

interface Report {
  ran: { from: number; to: number }[];
  counts: Record<string, number>;
  results: { seed: number; outcome: string; kind?: string; choices: string[]; line?: string }[];
}

function swarmJson(extra: string[]): { report: Report; text: string } {
  const r = dmadbg([...FAMILY, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(1); // failing seeds found
  return { report: JSON.parse(r.stdout) as Report, text: r.stdout };
}

describe('dmadbg swarm', () => {
  const one = swarmJson(['--workers', '1']);

  it('finds the seeds the missing flush breaks, and only those', () => {
    const { report } = one;
    expect(report.ran).toEqual([{ from: 1, to: 200 }]);
    const failing = report.results.filter((r) => r.outcome === 'fail');
    expect(report.counts.fail).toBe(failing.length);
    expect(report.counts.fail + report.counts.pass).toBe(200);
    expect(failing.length).toBeGreaterThan(20);
    for (const f of failing) {
      // Only vdec0 skips the flush: every failing seed kept it, and the stale access is its own.
      expect(f.choices.find((c) => c.startsWith('devices '))).toMatch(/\bvdec0\b/);
      expect(JSON.parse(f.line!)).toMatchObject({ kind: 'stale-tlb', dev: 'vdec0' });
      // With one IOTLB entry per cell, vdec0's read of its second page evicts the first page's
      // entry before the remap, so the read after it walks the new table: no stale hit.
      expect(f.choices).not.toContain('mtk.iotlbEntries=1');
    }
  });

  it('gives the same results with 2 workers', () => {
    expect(swarmJson(['--workers', '2']).text).toBe(one.text);
  });

  it('gives the same results split into shards and merged, whatever the split', () => {
    for (const n of [2, 3]) {
      const files: string[] = [];
      for (let i = 1; i <= n; i++) {
        const r = dmadbg([...FAMILY, '--json', '--workers', String(1 + (i % 2)), '--shard', `${i}/${n}`]);
        expect([0, 1], r.stderr).toContain(r.code);
        const f = join(dir, `shard-${i}-of-${n}.json`);
        writeFileSync(f, r.stdout);
        files.push(f);
      }
      const shards = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Report);
      // Disjoint slices that cover the range.
      expect(shards.flatMap((s) => s.ran).reduce((k, s) => k + s.to - s.from + 1, 0)).toBe(200);
      const m = dmadbg(['swarm', 'merge', ...files, '--json']);
      expect(m.code, m.stderr).toBe(1);
      expect(m.stdout).toBe(one.text);
    }
  });

  it('prints failing seeds with their first failing record, progress lines when not on a terminal', () => {
    const r = dmadbg([...FAMILY, '--workers', '2']);
    expect(r.code).toBe(1);
    const first = one.report.results.find((x) => x.outcome === 'fail')!;
    expect(r.stdout).toContain(`FAIL seed ${first.seed}: stale-tlb at record`);
    expect(r.stdout).toMatch(/stale-tlb\s+iommu=m4u0 mmu=mmu\d dev=vdec0/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`swarm mtk-swarm-flush: 200 seeds (1..200), fail on stale-tlb: ${one.report.counts.fail} failing, ${one.report.counts.pass} passing`);
    expect(r.stderr).toMatch(/dmadbg: swarm 200\/200 seeds \(100%\)/);
    expect(r.stderr).toContain(`dmadbg shrink ${join(ROOT, 'scenarios', 'mtk-swarm-flush.json')} --seed ${first.seed} --fail-on stale-tlb`);
  });

  it('merge refuses overlapping shards and shards of another swarm', () => {
    const a = join(dir, 'a.json');
    writeFileSync(a, dmadbg([...FAMILY, '--json', '--shard', '1/2']).stdout);
    const same = dmadbg(['swarm', 'merge', a, a]);
    expect(same.code).toBe(1);
    expect(same.stderr.trim()).toMatch(/^dmadbg: swarm merge: seeds 1\.\.100 are in both .*a\.json and .*a\.json$/);
    const b = join(dir, 'b.json');
    writeFileSync(b, dmadbg(['swarm', 'mtk-swarm-flush', '--seeds', '1..200', '--fail-on', 'fault', '--json', '--shard', '2/2']).stdout);
    const other = dmadbg(['swarm', 'merge', a, b]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/is from another swarm/);
  });

  it('says what is wrong in one line', () => {
    const cases: [string[], RegExp][] = [
      [['swarm', 'mtk-swarm-flush', '--seeds', '9..3', '--fail-on', 'stale-tlb'], /--seeds: 9\.\.3 is empty/],
      [['swarm', 'mtk-swarm-flush', '--seeds', '1..9', '--fail-on', 'stale-tbl'], /--fail-on: unknown record kind "stale-tbl" \(did you mean "stale-tlb"\?\)/],
      [['swarm', 'mtk-swarm-flush', '--seeds', '1..9', '--fail-on', 'stale-tlb', '--shard', '4/3'], /--shard expects I\/N with 1 <= I <= N, got "4\/3"/],
      [['swarm', 'mtk-swarm-flush', '--seeds', '1..9'], /missing --fail-on KIND/],
      [['swarm', 'mtk-swarm-flush', '--seeds', '1..9', '--fail-on', 'stale-tlb', '--override', 'mtk-driver=new'], /--override: "new" is not a choice for mtk-driver/],
    ];
    for (const [args, re] of cases) {
      const r = dmadbg(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
    const fam = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'mtk-swarm-flush.json'), 'utf8')) as Record<string, unknown>;
    const bad = join(dir, 'bad-family.json');
    writeFileSync(bad, JSON.stringify({ ...fam, swarm: { vary: [{ path: 'mtk.iotlbEntrys', choices: [1] }] } }));
    const r = dmadbg(['swarm', bad, '--seeds', '1..3', '--fail-on', 'stale-tlb']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`dmadbg: ${bad}:swarm.vary[0].path: "mtk.iotlbEntrys" is not in the file (name a value the file sets, e.g. "mtk.iotlbEntries" or "devices[0].start")`);
  });
});

describe('the --json report', () => {
  // The pool hands over one JSON array text per batch ('' when all its seeds passed); the
  // report splices them in rather than parsing and re-encoding them. What it prints must be
  // the very text JSON.stringify gives for the whole report.
  const head = {
    dmadbg: 'swarm', version: 1, scenario: 's', file: '/f.json', hash: 'h', failOn: ['stale-tlb'], kernel: null, overrides: {},
    seeds: { from: 1, to: 9 }, ran: [{ from: 1, to: 9 }], counts: { fail: 3, invalid: 1, limit: 0, error: 0, pass: 5 },
  } as const;
  const a = [{ seed: 2, outcome: 'fail', choices: ['x=1'], kind: 'stale-tlb', seq: 63, event: 14, line: '{"kind":"stale-tlb","q":"\\"\\u00e9"}' }];
  const b = [{ seed: 5, outcome: 'invalid', choices: [], message: 'memory.dram: too small' }, { seed: 6, outcome: 'fail', choices: ['y=[1,2]'], kind: 'fault', seq: 1, event: 1, line: '{}' }];

  it('is JSON.stringify of the whole report, batches without failures left out', () => {
    const texts = ['', JSON.stringify(a), '', JSON.stringify(b), ''];
    const printed = [...reportJson(head, texts)].join('');
    expect(printed).toBe(`${JSON.stringify({ ...head, results: [...a, ...b] })}\n`);
    expect([...parseResults(texts)]).toEqual([...a, ...b]);
  });

  it('has an empty results array when every seed passed', () => {
    expect([...reportJson(head, ['', ''])].join('')).toBe(`${JSON.stringify({ ...head, results: [] })}\n`);
    expect([...reportJson(head, [])].join('')).toBe(`${JSON.stringify({ ...head, results: [] })}\n`);
  });
});
