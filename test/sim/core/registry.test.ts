// The registries are the seams every model plugs into: a key declared, added, provided or
// registered twice must fail loudly (a silent drop once let a second M4U run the first
// one's closure), and a lookup must come back with its own type.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Machine } from '../../../src/sim/machine.ts';
import { eventKey, modelKey, serviceFamily, serviceKey } from '../../../src/sim/core/keys.ts';
import { DMA_MAX_MAPPING_SIZE, MTK_DRIVER_GEN, V7S_SPLIT_BLK } from '../../../src/sim/kernel.ts';
import { MTK_MODEL, type MtkState } from '../../../src/sim/iommu/mtk/state.ts';
import { build, runRecords } from '../../helpers/scenario.ts';

const machine = (kernel: 'v5.0-rc3' | 'v5.0' | 'v5.4' = 'v5.4', overrides: Record<string, string> = {}) =>
  new Machine({ scenario: 't', seed: 1, kernel, overrides, dram: [{ base: 0x4000_0000, size: 0x1000_0000 }] });

describe('typed registries', () => {
  it('a model is added once; a lookup of an absent model fails, findModel says undefined', () => {
    const K = modelKey<{ n: number }>('registry-test.model');
    const m = machine();
    expect(m.findModel(K)).toBeUndefined();
    expect(() => m.model(K)).toThrow(/no model registry-test.model/);
    m.addModel(K, { n: 1 });
    expectTypeOf(m.model(K)).toEqualTypeOf<{ n: number }>();
    expect(m.model(K).n).toBe(1);
    expect(() => m.addModel(K, { n: 2 })).toThrow(/added twice/);
    expect(m.model(K).n).toBe(1);
  });

  it('a service is provided once; a family hands out one key per name', () => {
    const S = serviceKey<(x: number) => number>('registry-test.service');
    const m = machine();
    m.provide(S, (x) => x + 1);
    expect(m.service(S)(1)).toBe(2);
    expect(() => m.provide(S, (x) => x)).toThrow(/provided twice/);
    const fam = serviceFamily<string>('registry-test.family');
    expect(fam('a')).toBe(fam('a'));
    expect(fam('a')).not.toBe(fam('b'));
    m.provide(fam('a'), 'A');
    expect(m.service(fam('a'))).toBe('A');
    expect(() => m.service(fam('b'))).toThrow(/no service registry-test.family:b/);
  });

  it('an event handler registers once; two keys may not share a name', () => {
    const E = eventKey('registry-test.event');
    const m = machine();
    const seen: number[] = [];
    const type = m.on(E, (_m, a) => seen.push(a));
    expect(m.typeOf(E)).toBe(type);
    expect(() => m.on(E, () => {})).toThrow(/registered twice/);
    m.schedule(0, type, 7);
    m.step();
    expect(seen).toEqual([7]);
  });

  it('declaring a second key with a name already taken throws', () => {
    modelKey('registry-test.dup');
    expect(() => modelKey('registry-test.dup')).toThrow(/declared twice/);
    expect(() => eventKey('mtk.isr')).toThrow(/declared twice/);
  });

  it('a behaviour reads back as its own literal union, honouring overrides', () => {
    expectTypeOf(machine().behaviour(V7S_SPLIT_BLK)).toEqualTypeOf<'kernel' | 'corrected'>();
    expectTypeOf(machine().behaviour(DMA_MAX_MAPPING_SIZE)).toEqualTypeOf<'absent' | 'conditional' | 'unconditional'>();
    expect(machine('v5.0-rc3').behaviour(MTK_DRIVER_GEN)).toBe('pre-mt8183');
    expect(machine('v5.4').behaviour(MTK_DRIVER_GEN)).toBe('mt8183-series');
    expect(machine('v5.4', { 'v7s-split-blk': 'corrected' }).behaviour(V7S_SPLIT_BLK)).toBe('corrected');
    expect(() => machine('v5.4', { 'v7s-split-blk': 'maybe' })).toThrow(/"maybe" is not a choice for v7s-split-blk \(one of: kernel, corrected\)/);
    expect(() => machine('v5.4', { 'no-such-row': 'x' })).toThrow(/unknown kernel behaviour "no-such-row"/);
  });
});

describe('per-instance handlers', () => {
  it('mt2712 with two M4Us: the ISR event carries the instance, and reads that M4U', () => {
    // The fault is latched on the M4U behind the faulting larb; its ISR must report that
    // M4U's registers, not the first instance's.
    const { machine: m } = build('mt2712-two-m4u');
    const s = m.model(MTK_MODEL);
    expectTypeOf(s).toEqualTypeOf<MtkState>();
    const faults = runRecords('mt2712-two-m4u').filter((r) => r.kind === 'fault');
    expect(faults.length).toBeGreaterThan(0);
    for (const f of faults) expect(f.iommu).toBe(s.m4u[s.larbM4u[f.larb as number]].name);
    expect(faults.some((f) => f.iommu === 'm4u1')).toBe(true);
  });
});
