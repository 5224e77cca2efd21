// The pieces of swarm and shrink: ddmin finds a 1-minimal failing subset; a seed's family
// member depends on nothing but the file and the seed; shards are disjoint and cover.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ddmin } from '../../src/debugger/swarm/shrink.ts';
import { swarmVariant } from '../../src/scenario/swarm.ts';
import { shardRange } from '../../src/cli/swarm/report.ts';
import { intBelow, prngFromSeed } from '../../src/sim/core/prng.ts';
import { SCENARIOS } from '../helpers/scenario.ts';
import { runSeed } from '../../src/debugger/swarm/seed.ts';
import { SWARM_TEMPLATE } from '../../src/scenario/templates/swarm.ts';

describe('ddmin', () => {
  it('keeps exactly the items the failure needs (200 random cases)', () => {
    const p = prngFromSeed(21);
    for (let c = 0; c < 200; c++) {
      const n = 1 + intBelow(p, 40);
      const items = Array.from({ length: n }, (_, i) => i);
      const needed = items.filter(() => intBelow(p, 4) === 0);
      let tests = 0;
      const got = ddmin(items, (sub) => {
        tests++;
        return needed.every((x) => sub.includes(x));
      });
      expect(got).toEqual(needed);
      expect(tests).toBeLessThan(n * n + 10);
    }
  });
});

describe('swarm variants', () => {
  const raw = JSON.parse(readFileSync(join(SCENARIOS, 'mtk-swarm-flush.json'), 'utf8')) as Record<string, unknown>;

  it('are a function of the file and the seed, keep devices in file order and drop the section', () => {
    for (let seed = 0; seed < 50; seed++) {
      const a = swarmVariant(raw, seed);
      expect(swarmVariant(structuredClone(raw), seed)).toEqual(a);
      expect(a.doc.swarm).toBeUndefined();
      expect(a.doc.seed).toBe(seed);
      const names = (a.doc.devices as { name: string }[]).map((d) => d.name);
      expect(names.length).toBeGreaterThanOrEqual(1);
      expect(names).toEqual(['disp0', 'vdec0', 'venc0', 'img0'].filter((n) => names.includes(n)));
      expect([1, 2, 4, 64]).toContain((a.doc.mtk as { iotlbEntries: number }).iotlbEntries);
    }
    // The file itself is not changed.
    expect((raw.devices as unknown[]).length).toBe(4);
  });
});

describe('the swarm template (dmadbg new --template swarm)', () => {
  // Each NIC maps 256 KiB: 128 slots of 2 KiB (IO_TLB_SHIFT 11), the most one mapping may
  // take (IO_TLB_SEGSIZE). Both at once need 256 slabs (kernel/dma/swiotlb.c,
  // swiotlb_tbl_map_single), so exactly the seeds that keep both NICs and pick "128" fail.
  it('fails on exactly the seeds with both NICs and a 128-slab pool', () => {
    const raw = { name: 'fam', ...SWARM_TEMPLATE.scenario } as Record<string, unknown>;
    let failing = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSeed({ raw, file: 'fam.json', settings: { failOn: ['swiotlb-full'] } }, seed);
      const both = r.choices.includes('devices nic0,nic1');
      const small = r.choices.includes('swiotlb="128"');
      expect(r.outcome, `seed ${seed}: ${r.choices.join('; ')}`).toBe(both && small ? 'fail' : 'pass');
      if (r.outcome === 'fail') failing++;
    }
    expect(failing).toBeGreaterThan(0);
  });
});

describe('shards', () => {
  it('are disjoint, contiguous and cover the range for any count', () => {
    const p = prngFromSeed(5);
    for (let c = 0; c < 300; c++) {
      const from = intBelow(p, 1000);
      const to = from + intBelow(p, 500);
      const count = 1 + intBelow(p, 20);
      let next = from;
      for (let i = 1; i <= count; i++) {
        const s = shardRange({ from, to }, i, count);
        if (!s) continue;
        expect(s.from).toBe(next);
        next = s.to + 1;
      }
      expect(next).toBe(to + 1);
    }
  });
});
