/**
 * Each breakpoint kind stops at every matching record and only there: a script of records
 * with near misses (right kind, wrong field) is run with one breakpoint at a time, and the
 * seqs it stops at must equal the seqs a plain filter over the script selects. Two matches
 * in one event are two stops (a stop is at a record, not after its event).
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { type Rec, syntheticMachine } from './synthetic.ts';

const fault = (f: { mmu: string; type: string; iova: number; write: boolean; larb: number; port: number; dev: string; reported: 'handled' | 'unhandled' }): Rec => ({
  kind: 'fault', iommu: 'm4u', st1: 0, layer: 0, pa: 0, intId: 0, larbRaw: f.larb, ...f,
});

const EVENTS: Rec[][] = [
  [{ kind: 'map', api: 'iommu_map', domain: '1', iova: 0x10000, pa: 0x40000000, size: 8192, result: 'ok' }],
  [{ kind: 'dma', dev: 'vdec', addr: 0x10000, len: 4096, dir: 'read', result: 'ok', pa: 0x40000000 }],
  [fault({ mmu: 'mmu0', type: 'translation', iova: 0x20000, write: false, larb: 4, port: 2, dev: 'vdec', reported: 'handled' })],
  [
    { kind: 'tlb-inval', iommu: 'm4u', scope: 'range', start: 0x10000, end: 0x12000, cells: 'mmu0', dropped: 1 },
    { kind: 'pte', domain: '1', level: 2, index: 16, old: 0x40000c7f, new: 0x00000000, addr: 0x7f001040, iova: 0x10000 },
  ],
  [{ kind: 'notifier', mm: '7', op: 'invalidate_range_start', start: 0x7000, end: 0x8000, blockable: true, subscriber: 'sva' }],
  [fault({ mmu: 'mmu1', type: 'translation', iova: 0x11000, write: true, larb: 5, port: 0, dev: 'venc', reported: 'unhandled' })],
  [{ kind: 'swiotlb-full', dev: 'nic', size: 65536, nslots: 32, largest: 16, largestBytes: 32768, free: 16, cursor: 0 }],
  [{ kind: 'tlb-inval', iommu: 'm4u', scope: 'all', cells: 'mmu0,mmu1', dropped: 2 }],
  [{ kind: 'stale-tlb', iommu: 'm4u', mmu: 'mmu0', dev: 'vdec', iova: 0x10000, cachedPa: 0x40000000, pteAddr: 0x7f001040, cachedPte: 0x40000c7f, pte: 0, changedBy: 4, filledAfter: -1 }],
  [{ kind: 'notifier', mm: '8', op: 'release', blockable: true, subscriber: 'sva' }],
  [{ kind: 'coherency-violation', dev: 'gpu', pasid: 1, va: 0x7000, write: true, stale: { pa: 0x50000000, write: true }, current: { present: false, pte: 0 }, changedBy: 5, filledBy: 0 }],
  [fault({ mmu: 'mmu1', type: 'permission', iova: 0x30000, write: true, larb: 5, port: 1, dev: 'venc', reported: 'handled' })],
  [{ kind: 'unmap', api: 'iommu_unmap', domain: '1', iova: 0x10000, size: 8192 }],
  [{ kind: 'bus-sel', reg: 'SMI_BUS_SEL', off: 0x220, value: 0x44, routes: [{ larb: 0, mmu: 0 }, { larb: 1, mmu: 1 }] }],
  [{ kind: 'swiotlb-map', dev: 'nic', orig: 0x60000000, tlb: 0x7f000000, slot: 40, nslots: 4, size: 8192, dir: 'to-device', copied: 8192 }],
  // Two faulting accesses in one event (the hardware faults at the access), an ok one between.
  [
    { kind: 'dma', dev: 'venc', addr: 0x30000, len: 64, dir: 'write', result: 'fault', mmu: 'mmu1', hit: 'miss', fault: 'translation' },
    { kind: 'dma', dev: 'vdec', addr: 0x50000, len: 64, dir: 'read', result: 'ok', pa: 0x50000000, mmu: 'mmu0', hit: 'hit' },
    { kind: 'dma', dev: 'vdec', addr: 0x31000, len: 64, dir: 'read', result: 'fault', mmu: 'mmu0', hit: 'miss', fault: 'permission' },
  ],
];

/** Seqs of the script's records in order. */
const RECORDS = EVENTS.flat().map((r, seq) => ({ seq, ...r }));

function stopsOf(spec: string): number[] {
  const s = new Session(syntheticMachine(EVENTS, 'synthetic', ['1', '2']));
  const r0 = s.exec(spec);
  expect(r0.error).toBeUndefined();
  const seqs: number[] = [];
  for (let i = 0; i < 50; i++) {
    const r = s.exec('continue');
    if (r.stop?.reason === 'end') break;
    expect(['breakpoint', 'watchpoint']).toContain(r.stop?.reason);
    seqs.push(r.stop!.record!.seq);
  }
  return seqs;
}

function expected(pred: (r: Record<string, unknown>) => boolean): number[] {
  return RECORDS.filter(pred).map((r) => r.seq);
}

describe('break sugar stops at the first matching record and only there', () => {
  const cases: [string, (r: Record<string, unknown>) => boolean][] = [
    // The faulting access: a dma record with result=fault; iova and type name addr and fault.
    ['break fault', (r) => r.kind === 'dma' && r.result === 'fault'],
    ['break fault mmu=1', (r) => r.kind === 'dma' && r.result === 'fault' && r.mmu === 'mmu1'],
    ['break fault type=permission', (r) => r.kind === 'dma' && r.result === 'fault' && r.fault === 'permission'],
    ['break fault dev=vdec', (r) => r.kind === 'dma' && r.result === 'fault' && r.dev === 'vdec'],
    ['break fault iova=0x30000..0x31001', (r) => r.kind === 'dma' && r.result === 'fault' && [0x30000, 0x31000].includes(r.addr as number)],
    ['break fault if dir=read', (r) => r.kind === 'dma' && r.result === 'fault' && r.dir === 'read'],
    // The driver's report, later: the kinds whose spec says they are a fault report.
    ['break fault-irq', (r) => r.kind === 'fault'],
    ['break fault-irq mmu=1', (r) => r.kind === 'fault' && r.mmu === 'mmu1'],
    ['break fault-irq type=permission', (r) => r.kind === 'fault' && r.type === 'permission'],
    ['break fault-irq dev=vdec', (r) => r.kind === 'fault' && r.dev === 'vdec'],
    ['break fault-irq larb=5 port=0', (r) => r.kind === 'fault' && r.larb === 5 && r.port === 0],
    ['break fault-irq iova=0x10000..0x20001', (r) => r.kind === 'fault' && [0x20000, 0x11000].includes(r.iova as number)],
    ['break fault-irq iommu=m4u if write=true', (r) => r.kind === 'fault' && r.write === true],
    ['break inval', (r) => r.kind === 'tlb-inval'],
    ['break inval scope=all', (r) => r.kind === 'tlb-inval' && r.scope === 'all'],
    ['break notifier op=release', (r) => r.kind === 'notifier' && r.op === 'release'],
    ['break notifier mm=7', (r) => r.kind === 'notifier' && r.mm === '7'],
    ['break swiotlb-full', (r) => r.kind === 'swiotlb-full'],
    ['break coherency', (r) => r.kind === 'coherency-violation'],
    ['break stale-tlb', (r) => r.kind === 'stale-tlb'],
    ['break kind=dma where dev=vdec and len>=4096', (r) => r.kind === 'dma' && r.dev === 'vdec' && (r.len as number) >= 4096],
    ['break dma dev=vdec', (r) => r.kind === 'dma' && r.dev === 'vdec'],
    ['break kind=pte where new=0', (r) => r.kind === 'pte'],
    ['break kind=map where iova ~ 0x1', (r) => r.kind === 'map'],
    ['break bus-sel', (r) => r.kind === 'bus-sel'],
  ];
  for (const [spec, pred] of cases) {
    it(spec, () => {
      const want = expected(pred);
      expect(want.length).toBeGreaterThan(0);
      expect(stopsOf(spec)).toEqual(want);
    });
  }
});

describe('fields come from the record kind', () => {
  it('a where clause naming a field the kind lacks is an error with a did-you-mean', () => {
    const s = new Session(syntheticMachine(EVENTS));
    const r = s.exec('break kind=dma where adr=0x10000');
    expect(r.error?.message).toBe('a dma record has no field "adr"');
    expect(r.error?.hint).toMatch(/^did you mean "addr"\? \(fields: dev, addr, len, dir, result, pa, /);
    expect(s.exec('break kind=map if iova>=0x10000 and seq<1').error).toBeUndefined();
  });

  it('addresses compare as numbers, whatever base the condition is written in', () => {
    expect(stopsOf('break kind=dma where addr=65536')).toEqual([1]);
    expect(stopsOf('break kind=pte where old>=0x40000000 and index=16')).toEqual([4]);
  });
});

describe('watchpoints', () => {
  const cases: [string, number[]][] = [
    // map (0), dma (1), inval range (3) and its pte (4) in the same event: two stops,
    // fault 0x11000 (6), inval all (8), stale-tlb (9), unmap (13)
    ['watch iova 0x10000..0x12000', [0, 1, 3, 4, 6, 8, 9, 13]],
    // records without a domain field (dma, fault, inval) still count: they may touch it
    ['watch iova 0x10000 domain=1', [0, 1, 3, 4, 8, 9, 13]],
    ['watch iova 0x10000 domain=2', [1, 3, 8, 9]],
    ['watch pa 0x40000000..0x40001000', [0, 1, 9]],
    // map and unmap in domain 1, and the v7s L2 PTE of 0x10000
    ['watch pte 1 0x10000', [0, 4, 13]],
    ['watch bus-sel', [14]],
    ['watch slot 42', [15]],
    ['watch slot 44', []],
  ];
  for (const [spec, want] of cases) {
    it(spec, () => expect(stopsOf(spec)).toEqual(want));
  }
});

describe('hit counts, ignore, tbreak, enable/disable/delete, log points, commands', () => {
  it('counts hits and honours ignore counts', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault-irq');
    s.exec('ignore 1 1');
    expect(s.exec('continue').stop?.record?.seq).toBe(6);
    expect(s.view().points[0].hits).toBe(2);
    expect(s.exec('info breakpoints').lines.join('\n')).toMatch(/1\s+breakpoint\s+y\s+2\s+fault-irq/);
  });

  it('hit counts count stops: two matches in one event are two stops, one hit each', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault');
    expect(s.exec('continue').stop).toMatchObject({ reason: 'breakpoint', at: 16, record: { seq: 16 } });
    expect(s.view().points[0].hits).toBe(1);
    // The machine is inside the event: records 17 and 18 have not been emitted yet.
    expect(s.machine.state.traceCount).toBe(17);
    expect(s.exec('continue').stop).toMatchObject({ reason: 'breakpoint', at: 18 });
    expect(s.view().points[0].hits).toBe(2);
  });

  it('continue N lets the breakpoint stopped at pass N-1 more hits (gdb)', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault-irq');
    expect(s.exec('continue').stop?.record?.seq).toBe(2);
    const r = s.exec('continue 2');
    expect(r.lines[0]).toBe('Will ignore next 1 crossings of breakpoint 1.  Continuing.');
    expect(r.stop?.record?.seq).toBe(12);
    expect(s.exec('continue 2').stop?.reason).toBe('end');
    // run restarts from event 0; the ignore count left over lets the first hit pass.
    const run = s.exec('run');
    expect(run.lines[0]).toMatch(/^Restarting from event 0 \(`goto @16` returns/);
    expect(run.stop?.record?.seq).toBe(6);
    s.exec('step');
    expect(s.exec('continue 3').lines[0]).toBe('Not stopped at any breakpoint; argument ignored.');
  });

  it('tbreak stops once, then is gone', () => {
    const s = new Session(syntheticMachine(EVENTS));
    expect(s.exec('tbreak inval').lines[0]).toBe('Temporary breakpoint 1: inval');
    const r = s.exec('continue');
    expect(r.stop?.record?.seq).toBe(3);
    expect(r.lines[0]).toBe('Temporary breakpoint 1 (inval), record 3 in event 4, t=300ns');
    expect(s.view().points).toEqual([]);
    expect(s.exec('continue').stop?.reason).toBe('end');
  });

  it('disable, enable, delete', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault-irq');
    s.exec('break notifier');
    s.exec('disable 1');
    expect(s.exec('continue').stop?.record?.kind).toBe('notifier');
    s.exec('enable');
    expect(s.exec('continue').stop?.record?.kind).toBe('fault');
    s.exec('delete 1');
    expect(s.exec('continue').stop?.record?.kind).toBe('notifier');
    expect(s.exec('delete 9').error?.message).toBe('no breakpoint 9');
  });

  it('ranges take the points inside them, however wide (delete 1-99999999999 used to count to it)', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault');
    s.exec('break notifier');
    s.exec('break inval');
    expect(s.exec('disable 2-99999999999').error).toBeUndefined();
    expect(s.view().points.map((p) => p.enabled)).toEqual([true, false, false]);
    expect(s.exec('enable 1-9007199254740991').error).toBeUndefined();
    expect(s.exec('delete 3-2').error?.message).toMatch(/bad range "3-2"/);
    expect(s.exec('delete 1-99999999999').error).toBeUndefined();
    expect(s.view().points).toEqual([]);
  });

  it('log points print with fields and do not stop', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('log kind=fault where mmu=1 "fault {type} at {iova} by {dev}"');
    const r = s.exec('continue');
    expect(r.stop?.reason).toBe('end');
    expect(r.lines.slice(0, 2)).toEqual(['fault translation at 0x11000 by venc', 'fault permission at 0x30000 by venc']);
  });

  it('commands run at the stop, gdb style (block and one-line forms)', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault-irq mmu=1');
    s.exec('commands 1');
    expect(s.isCollecting).toBe(true);
    s.exec('print iova');
    s.exec('print dev');
    expect(s.exec('end').lines).toEqual(['2 command(s) attached to 1']);
    const r = s.exec('continue');
    expect(r.lines.slice(-4)).toEqual(['> print iova', 'iova = 0x11000', '> print dev', 'dev = venc']);
    s.exec('commands 1 print type; continue');
    const r2 = s.exec('continue');
    expect(r2.lines).toContain('type = permission');
    expect(r2.stop?.reason).toBe('end');
  });

  it('says in the console which breakpoints came back from the workspace, and which no longer parse', () => {
    const s = new Session(syntheticMachine(EVENTS), {
      restore: {
        points: [
          { type: 'breakpoint', what: 'fault-irq mmu=1', temporary: false, enabled: true, ignore: 0, commands: [] },
          { type: 'watchpoint', what: 'bus-sel', temporary: false, enabled: false, ignore: 0, commands: [] },
          // Saved before `break fault` meant the access: the access has no larb.
          { type: 'breakpoint', what: 'fault larb=1', temporary: false, enabled: true, ignore: 0, commands: [] },
        ],
        bookmarks: { start: 0 },
      },
    });
    expect(s.view().console).toEqual([
      'Restored from the workspace: 2 breakpoints and 1 bookmark (start).',
      '  1 breakpoint fault-irq mmu=1',
      '  2 watchpoint (disabled) bus-sel',
      'Not restored (1; dropped when breakpoints are next saved): the saved spec no longer parses:',
      '  break fault larb=1: a fault record (dma) has no field "larb" (the driver\'s report has it: break fault-irq larb=1)',
    ]);
  });

  it('a breakpoint identical to an existing one gets gdb\'s note', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault');
    expect(s.exec('break fault').lines).toEqual(['Note: breakpoint 1 also set at fault.', 'Breakpoint 2: fault']);
    expect(s.exec('break fault mmu=1').lines).toEqual(['Breakpoint 3: fault mmu=1']);
  });

  it('condition N sets and clears a condition', () => {
    const s = new Session(syntheticMachine(EVENTS));
    s.exec('break fault-irq');
    s.exec('condition 1 type=permission');
    expect(s.exec('continue').stop?.record?.seq).toBe(12);
    expect(s.exec('info breakpoints').lines).toContain('        stop only if type=permission');
  });
});
