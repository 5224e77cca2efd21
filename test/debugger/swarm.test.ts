// The pieces of swarm and shrink: ddmin finds a 1-minimal failing subset; a seed's family
// member depends on nothing but the file and the seed; shards are disjoint and cover.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ddmin } from '../../src/debugger/swarm/shrink.ts';
import { picksKey, swarmPicks, swarmVariant } from '../../src/scenario/swarm.ts';
import { shardRange } from '../../src/cli/swarm/report.ts';
import { intBelow, prngFromSeed } from '../../src/sim/core/prng.ts';
import { SCENARIOS } from '../helpers/scenario.ts';
import { runSeed, seedDoc, seedRunner } from '../../src/debugger/swarm/seed.ts';
import { checkDoc } from '../../src/debugger/swarm/run.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { recordLine } from '../../src/sim/trace/codec.ts';
import { SwarmSection } from '../../src/scenario/schema/swarm.ts';
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

describe('a swarm worker (seedRunner: each member checked once, then built per seed)', () => {
  const raw = JSON.parse(readFileSync(join(SCENARIOS, 'mtk-swarm-flush.json'), 'utf8')) as Record<string, unknown>;
  // The family widened: behaviours a seed overrides, a value no member may take ("x": the
  // member is refused) and a vary that replaces the whole device list (fewer devices to keep).
  const devices = raw.devices as unknown[];
  const wide = {
    ...raw,
    swarm: {
      devices: { min: 0, max: 3 },
      vary: [
        { path: 'devices', choices: [devices, devices.slice(0, 2), devices.slice(1, 2)] },
        { path: 'mtk.iotlbEntries', choices: [1, 4, 64, 'x'] },
        { path: 'devices[1].start', choices: ['1003ns', '2us'] },
      ],
      overrides: { 'v7s-split-blk': ['corrected'], 'mtk-driver': ['pre-mt8183', 'mt8183-series'] },
    },
  };
  // Seeds in an order that jumps about, and each seed again later: a member's second and
  // later seeds take the cached path, its first one the path that fills the cache.
  const order = (n: number) => [...Array.from({ length: n }, (_, i) => ((i * 37) % n) + 1), ...Array.from({ length: n }, (_, i) => n - i)];

  // Each family with the outcomes its seeds reach (the plain file: every seed runs all four
  // engines, vdec0 among them, with 64 IOTLB entries, so every seed fails).
  for (const [name, doc, failOn, reached] of [
    ['mtk-swarm-flush', raw, ['stale-tlb'], ['fail', 'pass']],
    ['mtk-swarm-flush widened', wide, ['stale-tlb', 'mtk-fault'], ['fail', 'invalid', 'pass']],
    ['a file without a swarm section', { ...raw, swarm: undefined }, ['stale-tlb'], ['fail']],
  ] as const) {
    it(`gives each seed exactly its own run's result, in any order: ${name}`, () => {
      const job = { raw: JSON.parse(JSON.stringify(doc)) as Record<string, unknown>, file: 'fam.json', settings: { failOn } };
      const run = seedRunner(job);
      const outcomes = new Set<string>();
      for (const seed of order(120)) {
        const got = run(seed);
        expect(got, `seed ${seed}`).toEqual(runSeed(job, seed));
        outcomes.add(got.outcome);
      }
      // The job itself is left as it was (members are copies).
      expect(job.raw).toEqual(JSON.parse(JSON.stringify(doc)));
      expect([...outcomes].sort()).toEqual(reached);
    });
  }

  // A seed's run fast-forwards (only the --fail-on kinds are built) and halts at the first
  // one: its record and event must be the ones a full run of the member, every record kept
  // as `dmadbg run` keeps them, reaches first.
  it('reports the first failing record exactly as a full run of its member writes it', () => {
    const job = { raw: JSON.parse(JSON.stringify(raw)) as Record<string, unknown>, file: 'fam.json', settings: { failOn: ['stale-tlb'] } };
    let fails = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const got = runSeed(job, seed);
      const c = checkDoc(seedDoc(job.raw, seed).doc, 'fam.json', job.settings);
      if (!c.ok) throw new Error(c.message);
      const { machine: m } = buildMachine(c.scenario, { file: 'fam.json' });
      let first: { line: string; event: number } | undefined;
      while (!first && m.step()) {
        const r = m.stepRecords.find((x) => x.kind === 'stale-tlb');
        if (r) first = { line: recordLine(r), event: m.state.events };
      }
      if (first) fails++;
      expect(got.outcome, `seed ${seed}`).toBe(first ? 'fail' : 'pass');
      expect(got.line, `seed ${seed}`).toBe(first?.line);
      expect(got.event, `seed ${seed}`).toBe(first?.event);
    }
    expect(fails).toBeGreaterThan(5);
  });

  it('keys a member by what its seeds picked: one key, one member', () => {
    const s = SwarmSection.parse(wide.swarm);
    const seen = new Map<string, string>();
    for (let seed = 0; seed < 300; seed++) {
      const v = swarmVariant(wide, seed);
      const { seed: _, ...member } = v.doc;
      const key = picksKey(swarmPicks(wide, s, seed));
      const text = JSON.stringify(member);
      // Seeds with equal keys share one checked member: they must be the same member.
      if (seen.has(key)) expect(seen.get(key), `seed ${seed}`).toBe(text);
      else seen.set(key, text);
    }
    expect(seen.size).toBeGreaterThan(20);
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
