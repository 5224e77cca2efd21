// The larb runtime-PM warning promises certainty: every access it names is refused in the
// run (a larb-off-dma record of that device at that time), and with one engine per larb
// (no two engines at the same nanosecond to order) every engine whose access is refused
// is named, at its first refused access. Random engines on random larbs, seeded.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { lintLarbPower } from '../../src/scenario/lint-mtk.ts';
import { prngFromSeed, intBelow } from '../../src/sim/core/prng.ts';

const OPS = ['larb-get', 'larb-put', 'read', 'write', 'access', 'delay', 'delay'] as const;

function randomScenario(seed: number, engines: number, shareLarbs: boolean) {
  const rng = prngFromSeed(seed);
  const pick = <T>(xs: readonly T[]) => xs[intBelow(rng, xs.length)];
  const devices = Array.from({ length: engines }, (_, i) => {
    const ops: Record<string, unknown>[] = [{ op: 'map', as: 'm', buf: 'b', len: '8K', dir: 'bidirectional' }];
    for (let k = 0; k < 3 + intBelow(rng, 8); k++) {
      const op = pick(OPS);
      if (op === 'delay') ops.push({ op, ns: 1 + intBelow(rng, 3000) });
      else if (op === 'access') ops.push({ op, iova: '0x10000', len: 64, dir: pick(['read', 'write']) });
      else if (op === 'read' || op === 'write') ops.push({ op, map: 'm', len: 64 });
      else ops.push({ op });
    }
    return { kind: 'mtk-engine', name: `e${i}`, engine: 'disp', larb: shareLarbs ? intBelow(rng, 2) : i, port: i, start: 1 + intBelow(rng, 2000), period: 1 + intBelow(rng, 4000), repeat: 1 + intBelow(rng, 3), ops };
  });
  return { version: 1, name: 'r', description: 'random engines', memory: { dram: [{ base: '0x40000000', size: '0x40000000' }], buffers: [{ name: 'b', size: '8K' }] }, mtk: { soc: 'mt8173' }, devices };
}

function check(doc: ReturnType<typeof randomScenario>) {
  const res = parseScenarioText(JSON.stringify(doc), 'r.json');
  if (!res.ok) throw new Error(res.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  const built = buildMachine(res.scenario, { file: 'r.json' });
  const warned = lintLarbPower({ s: res.scenario, built, file: 'r.json' }).filter((w) => /refused/.test(w.message));
  const m = buildMachine(res.scenario, { file: 'r.json' }).machine;
  const refused: { dev: string; t: number }[] = [];
  m.watch('larb-off-dma', (_m, r) => refused.push({ dev: r.dev, t: r.t }));
  while (m.step()) {
    /* run to the end */
  }
  const said = warned.map((w) => ({ dev: /^(\S+) /.exec(w.message)![1], t: Number(/ at t=(\d+)ns/.exec(w.message)![1]) }));
  return { said, refused };
}

describe('the larb runtime-PM warning', () => {
  it('names only accesses the run refuses (engines sharing larbs, 300 seeds)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { said, refused } = check(randomScenario(seed, 3, true));
      for (const s of said) expect(refused, `seed ${seed}: ${s.dev} at ${s.t}`).toContainEqual(s);
    }
  });

  it('with one engine per larb, names each refused engine at its first refused access (300 seeds)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { said, refused } = check(randomScenario(seed, 2, false));
      const first = new Map<string, number>();
      for (const r of refused) if (!first.has(r.dev)) first.set(r.dev, r.t);
      expect(said.sort((a, b) => a.dev.localeCompare(b.dev)), `seed ${seed}`).toEqual([...first].map(([dev, t]) => ({ dev, t })).sort((a, b) => a.dev.localeCompare(b.dev)));
    }
  });
});
