/**
 * `why` is reverse-continue with a purpose: from a fault it goes back to the last record
 * that changed the translation of its IOVA; from a checker finding to the record it names.
 * `provenance` lists what touched an address, newest first, up to the current position.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { type Rec, syntheticMachine } from './synthetic.ts';

const fault = (f: { mmu: string; iova: number; write: boolean; larb: number; port: number; dev: string }): Rec => ({
  kind: 'fault', iommu: 'm4u', type: 'translation', st1: 0, layer: 0, pa: 0, intId: 0, larbRaw: f.larb, reported: 'handled', ...f,
});

const EVENTS: Rec[][] = [
  [{ kind: 'map', api: 'iommu_map', domain: '1', iova: 0x10000, pa: 0x40000000, size: 8192, result: 'ok' }], // 0
  [{ kind: 'dma', dev: 'vdec', addr: 0x10000, len: 4096, dir: 'read', result: 'ok', pa: 0x40000000 }], // 1
  [{ kind: 'unmap', api: 'iommu_unmap', domain: '1', iova: 0x10000, size: 8192 }], // 2
  [{ kind: 'dma', dev: 'venc', addr: 0x30000, len: 4096, dir: 'write', result: 'ok', pa: 0x40100000 }], // 3
  [fault({ mmu: 'mmu0', iova: 0x11000, write: false, larb: 4, port: 2, dev: 'vdec' })], // 4
  [{ kind: 'stale-tlb', iommu: 'm4u', mmu: 'mmu0', dev: 'vdec', iova: 0x10000, cachedPa: 0x40000000, pteAddr: 0x7f001040, cachedPte: 0x40000c7f, pte: 0, changedBy: 2, filledAfter: -1 }], // 5
  [{ kind: 'dma', dev: 'vdec', addr: 0x50000, len: 64, dir: 'read', result: 'fault' }], // 6
];

describe('why', () => {
  it('from a fault goes back to the unmap of its IOVA', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault-irq');
    expect(s.exec('continue').stop?.record?.seq).toBe(4);
    const r = s.exec('why');
    expect(r.lines[0]).toBe('why: record 2 caused record 4 (last unmap touching 0x11000)');
    // It stops at the cause itself, and names the way back.
    expect(r.stop).toMatchObject({ events: 3, at: 2, motion: 'why', record: { seq: 2, kind: 'unmap' } });
    expect(r.lines[r.lines.length - 1]).toBe('(goto 4 returns to the fault record)');
    expect(s.exec('print api').lines).toEqual(['api = iommu_unmap']);
  });

  it('from a checker finding goes to the record it names', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break stale-tlb');
    s.exec('continue');
    const r = s.exec('why');
    expect(r.lines[0]).toBe('why: record 2 caused record 5 (stale-tlb names it (changedBy))');
    expect(s.events).toBe(3);
  });

  it('says so when nothing mapped the address, or the stop is not a fault', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break kind=dma where result=fault');
    s.exec('continue');
    expect(s.exec('why').lines).toEqual(['nothing before record 6 mapped, unmapped or invalidated 0x50000: it was never mapped']);
    // An earlier access to the same address is not a cause: only maps, unmaps, PTE writes
    // and invalidations are, so the answer must not say "nothing touched" it.
    const twice = new Session(
      syntheticMachine([
        [{ kind: 'dma', dev: 'vdec', addr: 0x60000, len: 64, dir: 'read', result: 'fault' }],
        [{ kind: 'fault', iommu: 'm4u', mmu: 'mmu0', type: 'translation', iova: 0x60000, write: false, larb: 4, larbRaw: 4, layer: 0, pa: 0, st1: 0x80, intId: 0x200, port: 2, dev: 'vdec', reported: 'unhandled' }],
      ]),
    );
    twice.exec('break fault-irq');
    twice.exec('continue');
    expect(twice.exec('why').lines).toEqual(['nothing before record 1 mapped, unmapped or invalidated 0x60000: it was never mapped']);
    // The same from the faulting access itself (break fault).
    twice.exec('delete; break fault; run');
    expect(twice.exec('why').lines).toEqual(['nothing before record 0 mapped, unmapped or invalidated 0x60000: it was never mapped']);
    const t = new Session(syntheticMachine(EVENTS));
    t.exec('step');
    expect(t.exec('why').lines[0]).toMatch(/^why needs a stop/);
  });
});

describe('the records the models emit (mtk M4U, mm/SVA)', () => {
  const MODEL: Rec[][] = [
    [{ kind: 'pte', domain: 'vdec', level: 2, index: 16, old: 0x40000c7f, new: 0x00000000, addr: 0x7f001040, iova: 0x10000 }], // 0
    [fault({ mmu: 'mmu1', iova: 0x10000, write: false, larb: 4, port: 2, dev: 'vdec' })], // 1
    [{ kind: 'stale-tlb', iommu: 'm4u', mmu: 'mmu0', dev: 'vdec', iova: 0x10000, cachedPa: 0x40000000, pteAddr: 0x7f001040, cachedPte: 0x40000c7f, pte: 0, changedBy: 0, filledAfter: 0 }], // 2
    [{ kind: 'cpu-pte', mm: 'proc', va: 0x7000, old: 0x12345067, new: 0, why: 'munmap' }], // 3
    [{ kind: 'coherency-violation', dev: 'gpu', pasid: 1, va: 0x7000, write: true, stale: { pa: 0x12345000, write: true }, current: { present: false, pte: 0 }, changedBy: -1, filledBy: 0 }], // 4
  ];
  it('mmu=1 matches the M4U cell name "mmu1"', () => {
    const s = new Session(syntheticMachine(MODEL));
    s.exec('break fault-irq mmu=1');
    expect(s.exec('continue').stop?.record?.seq).toBe(1);
    s.exec('delete');
    s.exec('break stale-tlb mmu=0');
    expect(s.exec('continue').stop?.record?.seq).toBe(2);
  });
  it('why follows changedBy, and falls back to the last cpu-pte of the page when it is -1', () => {
    const s = new Session(syntheticMachine(MODEL));
    s.exec('break stale-tlb');
    s.exec('continue');
    expect(s.exec('why').lines[0]).toBe('why: record 0 caused record 2 (stale-tlb names it (changedBy))');
    s.exec('delete');
    s.exec('break coherency');
    s.exec('continue');
    expect(s.exec('why').lines[0]).toBe('why: record 3 caused record 4 (last cpu-pte touching 0x7000)');
  });
});

describe('provenance', () => {
  it('lists records touching an IOVA, newest first, up to the current position', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('goto @6');
    const r = s.exec('provenance iova 0x10000');
    expect(r.lines[0]).toBe('4 record(s) touched iova 0x10000, newest first:');
    expect(r.lines.slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([5, 2, 1, 0]);
    s.exec('goto @2');
    expect(s.exec('provenance iova 0x10000').lines[0]).toBe('2 record(s) touched iova 0x10000, newest first:');
  });

  it('lists records touching a PA', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('continue');
    const r = s.exec('provenance pa 0x40000000 last 2');
    expect(r.lines.slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([5, 1]);
    expect(s.exec('provenance pa 0x7000').lines[0]).toMatch(/^Nothing recorded touched pa 0x7000/);
  });
});
