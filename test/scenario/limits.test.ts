/**
 * The limits table, checked before anything is built: each value past a limit is one
 * problem at its JSON path (the figures below come from src/sim/limits.ts and the model's
 * own bounds: a 32-bit jitter draw, the 2^48 physical space, x86-64/arm64 TASK_SIZE 2^47).
 * And a limit only the run can meet stops it cleanly, with the event and the reason.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { formatProblem } from '../../src/scenario/problems.ts';
import { LIMITS } from '../../src/sim/limits.ts';
import { Session } from '../../src/debugger/session.ts';
import { dmadbg } from '../helpers/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Doc = Record<string, unknown> & { memory: { dram: Record<string, unknown>[]; buffers: Record<string, unknown>[] }; devices: Record<string, unknown>[] };
const base = (): Doc => ({
  version: 1,
  name: 'x',
  description: 'test scenario',
  memory: { dram: [{ base: '0x40000000', size: '256M' }], buffers: [{ name: 'buf', size: '8K' }] },
  devices: [{ kind: 'dma-engine', name: 'e0', ops: [{ op: 'write', buf: 'buf', len: 64 }] }],
});

function problems(doc: unknown): string[] {
  const r = parseScenarioText(typeof doc === 'string' ? doc : JSON.stringify(doc), 'f.json');
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('values past a limit are refused at their path', () => {
  it('a transfer over 64 MiB', () => {
    const d = base();
    d.memory.buffers[0].size = '1G';
    d.devices[0].ops = [{ op: 'write', buf: 'buf', len: '65M' }];
    expect(problems(d)).toEqual(['f.json:devices[0].ops[0].len: 65 MiB is more than a transfer may move (64 MiB) (split it into smaller ops; `dmadbg info limits` lists every limit)']);
  });

  it('an 8 TiB buffer with a fill: more backed memory than 512 MiB', () => {
    const d = base();
    d.memory.dram = [{ base: '0x40000000', size: '16T' }];
    d.memory.buffers = [{ name: 'huge', size: '8T', fill: 1 }];
    d.devices[0].ops = [{ op: 'read', buf: 'huge', len: 64 }];
    expect(problems(d)).toEqual([
      'f.json:memory.buffers[0].fill: the scenario would back 8388608 MiB of simulated memory with real pages (fills, populated mappings, writes), more than 512 MiB; the largest part is here (8388608 MiB) (shrink it; memory that is only mapped or read costs nothing. `dmadbg info limits` lists every limit)',
    ]);
  });

  it('an 8 TiB buffer without a fill is free (sparse stays sparse)', () => {
    const d = base();
    d.memory.dram = [{ base: '0x40000000', size: '16T' }];
    d.memory.buffers = [{ name: 'huge', size: '8T' }];
    d.devices[0].ops = [{ op: 'read', buf: 'huge', offset: '4T', len: 64 }];
    expect(problems(d)).toEqual([]);
  });

  it('the models merged later: raw bus-master accesses, AMD ops, s3cmci times, room for IOMMU tables', () => {
    const d = base();
    d.memory.buffers[0].size = '1G';
    d.devices = [{ kind: 'bus-master', name: 'nic0', bdf: '00:03.0', ops: [{ op: 'access', addr: '0x1000', len: '65M', dir: 'write' }] }];
    d.vtd = {};
    expect(problems(d)).toEqual([
      'f.json:devices[0].ops[0].len: 65 MiB is more than a transfer may move (64 MiB) (split it into smaller ops; `dmadbg info limits` lists every limit)',
      // 256 MiB of DRAM, 1 GiB of buffers: nothing left for the root table and the invalidation queue.
      'f.json:memory.dram: 0 bytes of DRAM is left beside the buffers; the VT-d IOMMU needs 1 MiB for its tables (add DRAM or make buffers smaller)',
    ]);
    const a = base();
    a.devices = [{ kind: 'bus-master', name: 'nic0', ops: [{ op: 'delay', ns: 1 }] }];
    a.amd = { devices: [{ dev: 'nic0', bdf: '0000:01:00.0' }], ops: [{ op: 'dev-write', at: 2 ** 50, dev: 'nic0', iova: '0x1000', len: '65M' }] };
    expect(problems(a)).toEqual([
      'f.json:amd.ops[0].at: t=1125899906842624 ns is past the virtual time limit (1.40e+14 ns)',
      'f.json:amd.ops[0].len: 65 MiB is more than a transfer may move (64 MiB) (split it into smaller ops; `dmadbg info limits` lists every limit)',
    ]);
    const m = base();
    m.devices = [{ kind: 's3cmci', name: 'sd0', start: 2 ** 49, requests: [{ op: 'read', sector: 0, bio: [{ buf: 'buf', len: '4K' }] }] }];
    expect(problems(m)).toEqual([expect.stringMatching(/^f\.json:devices\[0\]: device "sd0" runs until t=5\.63e\+14 ns, past the virtual time limit/)]);
  });

  it('DRAM beyond 2^48 and overlapping DRAM ranges', () => {
    const d = base();
    d.memory.dram = [{ base: '0xffff00000000', size: '8G' }, { base: '0x40000000', size: '256M' }, { base: '0x48000000', size: '1M' }];
    expect(problems(d)).toEqual([
      'f.json:memory.dram[0]: DRAM range ends at 0x1000100000000, beyond the 2^48-byte physical address space (lower base or size)',
      'f.json:memory.dram[2]: DRAM range 0x48000000..0x48100000 overlaps memory.dram[1] (0x40000000..0x50000000) (DRAM ranges must be disjoint)',
    ]);
  });

  it('a DRAM range holding two others overlaps both, each named', () => {
    const d = base();
    d.memory.dram = [{ base: '0x40000000', size: '1G' }, { base: '0x48000000', size: '1M' }, { base: '0x50000000', size: '1M' }];
    expect(problems(d)).toEqual([
      'f.json:memory.dram[1]: DRAM range 0x48000000..0x48100000 overlaps memory.dram[0] (0x40000000..0x80000000) (DRAM ranges must be disjoint)',
      'f.json:memory.dram[2]: DRAM range 0x50000000..0x50100000 overlaps memory.dram[0] (0x40000000..0x80000000) (DRAM ranges must be disjoint)',
    ]);
  });

  it('a jitter a 32-bit draw cannot give, and a workload past the virtual time limit', () => {
    const d = base();
    d.devices[0] = { kind: 'dma-engine', name: 'e0', jitter: 2 ** 32, ops: [{ op: 'read', buf: 'buf', len: 64 }] };
    expect(problems(d)).toEqual(['f.json:devices[0].jitter: jitter 4294967296 ns is above 4294967295 ns (a 32-bit random draw) (use a jitter below 4.29 s)']);
    // 10 M rounds of 2^40 ns (~18 min) each: ~2^63 ns, far past 2^47.
    d.devices[0] = { kind: 'dma-engine', name: 'e0', period: 2 ** 40, repeat: 10_000_000, ops: [{ op: 'read', buf: 'buf', len: 64 }] };
    expect(problems(d)[0]).toMatch(/^f\.json:devices\[0\]: device "e0" runs until t=1\.10e\+19 ns, past the virtual time limit \(1\.40e\+14 ns, about 38 h\)/);
  });

  it('a mapping or an mm op beyond the user address space or wider than 64 GiB', () => {
    const d = base();
    d.processes = [
      { name: 'p', vmas: [{ start: '0x7ffffffff000', size: '8K' }], ops: [{ op: 'age', at: 0, start: '0x10000000', size: '1T' }] },
    ];
    expect(problems(d)).toEqual([
      'f.json:processes[0].vmas[0]: the mapping ends at 0x800000001000, beyond the user address space (2^47 bytes)',
      'f.json:processes[0].ops[0].size: age covers 1048576 MiB; an mm operation may cover at most 65536 MiB (`dmadbg info limits` lists every limit)',
    ]);
  });

  it('populated mappings larger than DRAM', () => {
    const d = base();
    d.processes = [{ name: 'p', vmas: [{ start: '0x10000000', size: '512M', populate: true }] }];
    expect(problems(d)).toContain('f.json:processes: populated and filled mappings need 512 MiB, more than the 256 MiB of DRAM (add DRAM or populate less)');
  });

  it('limits.maxEvents, a SWIOTLB pool, nesting, file size', () => {
    const d = base();
    d.limits = { maxEvents: 1e15 };
    d.swiotlb = { bytes: '8T' };
    expect(problems(d)).toEqual([
      'f.json:limits.maxEvents: 1000000000000000 is more than the 1000000000 events a run may take (`dmadbg info limits` lists every limit)',
      'f.json:swiotlb: a 8388608 MiB pool is more than the 1024 MiB a scenario may have (`dmadbg info limits` lists every limit)',
    ]);
    // Deep nesting used to come back as "line 1 column 1: expected undefined". Here `{` is level 1
    // and the 64th `[` (offset 11 + 63) is level 65: column 75.
    const deep = JSON.stringify(base()).replace('"version":1', `"version":${'['.repeat(5000)}1${']'.repeat(5000)}`);
    expect(problems(deep)).toEqual(['f.json: arrays and objects nested more than 64 deep at line 1 column 75 (a scenario needs a few levels; check for a runaway bracket)']);
    const broken = deep.slice(0, -3);
    expect(problems(broken)[0]).toMatch(/nested more than 64 deep at line 1 column 75/);
    expect(problems(' '.repeat(LIMITS.fileBytes + 1))[0]).toMatch(/^f\.json: the file has 16777217 bytes; a scenario may have at most 16777216 bytes/);
  });

  it('an unknown field with an empty or odd name has a path that names it', () => {
    const d = base() as Doc & { memory: Record<string, unknown> };
    d.memory[''] = 1;
    d.memory['a.b'] = 2;
    expect(problems(d)).toEqual(['f.json:memory[""]: unknown field "" (known fields: dram, buffers)', 'f.json:memory["a.b"]: unknown field "a.b" (known fields: dram, buffers)']);
  });
});

describe('a limit only the run can meet stops it with the event and the reason', () => {
  // 1 MiB of DRAM (the buffer takes 8 KiB); a shared-VA device writes 16 MiB through a
  // process mapping that was never populated: its faults need 4096 user pages.
  const doc = {
    version: 1,
    name: 'oom',
    description: 'a device faults in more user pages than DRAM has',
    memory: { dram: [{ base: '0x40000000', size: '1M' }], buffers: [] },
    processes: [{ name: 'app', vmas: [{ start: '0x10000000', size: '16M' }] }],
    devices: [{ kind: 'sva-device', name: 'acc', ops: [{ op: 'write', va: '0x10000000', len: '16M' }] }],
    sva: { bindings: [{ device: 'acc', process: 'app', iommu: 'amd-v2' }] },
  };
  const dir = mkdtempSync(join(tmpdir(), 'dmadbg-limit-'));
  const file = join(dir, 'oom.json');
  writeFileSync(file, JSON.stringify(doc));

  it('validate accepts it (nothing is populated); run stops with exit 1 naming the event', () => {
    expect(problems(doc)).toEqual([]);
    const r = dmadbg(['run', file, '--json']);
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^dmadbg: stopped: event \d+ cannot run: out of simulated DRAM for user pages \(\d+ bytes allocated\); add memory\.dram or map less \(after \d+ records, t=/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    // What ran is printed: every record of the events before the one that could not run
    // (the JSON lines go out in batches, the last one after the stop), and none of its own.
    const failed = Number(/event (\d+) cannot run/.exec(last)![1]);
    const before = dmadbg(['run', file, '--json', '--max-events', String(failed - 1)]);
    expect(before.code).toBe(0);
    expect(before.stdout.length).toBeGreaterThan(0);
    expect(r.stdout).toBe(before.stdout);
  });

  it('a debugger session stops before that event, stays there, and still runs backwards', () => {
    const r = parseScenarioText(JSON.stringify(doc), 'oom.json');
    if (!r.ok) throw new Error('invalid');
    const s = new Session(buildMachine(r.scenario));
    const first = s.exec('continue');
    expect(first.error).toBeUndefined();
    expect(first.stop?.reason).toBe('limit');
    expect(first.lines[0]).toMatch(/^Stopped: event (\d+) cannot run: out of simulated DRAM for user pages/);
    const failed = Number(/event (\d+) cannot run/.exec(first.lines[0])![1]);
    expect(s.events).toBe(failed - 1);
    const again = s.exec('continue');
    expect(again.stop?.reason).toBe('limit');
    expect(s.events).toBe(failed - 1);
    expect(s.exec('reverse-step').stop?.events).toBe(failed - 2);
    expect(s.exec('step').stop?.events).toBe(failed - 1);
  });
});
