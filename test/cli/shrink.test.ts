// `dmadbg shrink` on a failing seed of the mtk-swarm-flush family: the result keeps one
// device (vdec0, the one whose driver skips the flush) and no more ops than the bug needs,
// still fails, and its command file stops at the failure.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dmadbg } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'dmadbg-shrink-'));

describe('dmadbg shrink', () => {
  it('reduces seed 4 (all four engines) to vdec0 and the five ops the stale translation needs', () => {
    const r = dmadbg(['shrink', 'mtk-swarm-flush', '--seed', '4', '--fail-on', 'stale-tlb', '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/devices disp0,vdec0,venc0,img0/);
    const doc = JSON.parse(readFileSync(join(dir, 'mtk-swarm-flush-seed4.min.json'), 'utf8')) as {
      devices: { name: string; ops: { op: string; flush?: boolean }[] }[];
      swarm?: unknown;
      seed: number;
    };
    expect(doc.swarm).toBeUndefined();
    expect(doc.seed).toBe(4);
    expect(doc.devices.map((d) => d.name)).toEqual(['vdec0']);
    // What the bug needs (drivers/iommu/mtk_iommu.c: the M4U serves a hit from its TLB until an
    // invalidation): the larb powered (mtk_smi_larb_get, else the access is not served), a
    // mapping, a read that fills the IOTLB entry, the remap without a flush, a read that hits
    // the old entry.
    const ops = doc.devices[0].ops;
    expect(ops.length).toBeLessThanOrEqual(5);
    expect(ops.map((o) => o.op)).toEqual(['larb-get', 'map', 'read', 'remap', 'read']);
    expect(ops[3].flush).toBe(false);
    expect(r.stdout).toMatch(/^shrunk mtk-swarm-flush seed 4: 4 devices, 48 ops, \d+ events -> 1 device, 5 ops, \d+ events/);
    // The command file breaks at the failure: exit 3, stopped at the stale-tlb record of vdec0.
    const run = dmadbg(['run', 'mtk-swarm-flush-seed4.min.json', '--commands', 'mtk-swarm-flush-seed4.min.cmds', '--no-record'], { cwd: dir });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/Breakpoint 1 \(stale-tlb\), record \d+/);
    expect(run.stdout).toMatch(/stale-tlb\s+iommu=m4u0 mmu=mmu\d dev=vdec0/);
  });

  it('a seed that does not fail is one line, exit 1', () => {
    const r = dmadbg(['shrink', 'mtk-swarm-flush', '--seed', '1', '--fail-on', 'stale-tlb', '-o', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('dmadbg: shrink: seed 1: the run does not fail (no stale-tlb record)');
  });
});
