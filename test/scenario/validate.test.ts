// `dmadbg validate` in one pass (issue 18 §6): a user fixing a file sees every problem at
// once, each at the file's own JSON path, without the noise of problems that only follow
// from one already reported; comments are allowed and errors keep their line and column;
// warnings name what will certainly go wrong at run time.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { formatProblem } from '../../src/scenario/problems.ts';
import { validateScenarioFile } from '../../src/scenario/validate.ts';
import { stripComments } from '../../src/scenario/jsonc.ts';
import { lintScenario } from '../../src/scenario/lint.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { iommuDetachDevice, iommuDomainOf } from '../../src/sim/iommu/core.ts';
import { loadScenario } from '../helpers/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'dmadbg-validate-'));
let n = 0;
function validate(doc: unknown): { problems: string[]; warnings: string[] } {
  const file = join(dir, `s${n++}.json`);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  const v = validateScenarioFile(file);
  const strip = (s: string) => s.replace(`${file}:`, '');
  return { problems: v.problems.map((p) => strip(formatProblem(p))), warnings: v.warnings.map((p) => strip(formatProblem(p))) };
}
const problems = (text: string) => {
  const r = parseScenarioText(text, 'f.json');
  return r.ok ? [] : r.problems.map(formatProblem);
};

const base = () => ({
  version: 1,
  name: 'x',
  description: 'test scenario',
  memory: { dram: [{ base: '0x40000000', size: '16M' }], buffers: [{ name: 'buf', size: '8K' }] as Record<string, unknown>[] },
  devices: [{ kind: 'dma-engine', name: 'e0', ops: [{ op: 'write', buf: 'buf', len: 64 }] }] as Record<string, unknown>[],
});

describe('validate: every problem in one pass', () => {
  it('a type error, a cross-reference and a buffer that does not fit are reported together', () => {
    const d = base();
    d.memory.buffers.push({ name: 'big', size: '32M' }); // the build: 16 MiB of DRAM
    d.devices[0].dmaMsk = 32; // zod: unknown field
    d.devices.push({ kind: 'dma-engine', name: 'e1', ops: [{ op: 'read', buf: 'bfu', len: 64 }] }); // check: no such buffer
    expect(validate(d).problems).toEqual([
      'devices[0].dmaMsk: unknown field "dmaMsk" (did you mean "dmaMask"?)',
      'devices[1].ops[0].buf: no buffer named "bfu" (did you mean "buf"?)',
    ]);
    // Fix the two: the build's problem was there all along; with no check problem left the
    // refused field is dropped and the rest is built in the same pass.
    d.devices.pop();
    expect(validate(d).problems).toEqual([
      'devices[0].dmaMsk: unknown field "dmaMsk" (did you mean "dmaMask"?)',
      'memory.buffers[1]: no free DRAM for buffer "big" (33554432 bytes) (enlarge memory.dram or relax below/above)',
    ]);
  });

  it('checks after a removed device still name the file\'s own indexes', () => {
    const d = base();
    d.devices.unshift({ kind: 'gpu', name: 'g0' }); // refused: the device goes
    d.devices.push({ kind: 'dma-engine', name: 'e2', ops: [{ op: 'read', buf: 'nope', len: 64 }] });
    const got = validate(d).problems;
    expect(got).toHaveLength(2);
    expect(got[0]).toMatch(/^devices\[0\]\.kind: unknown device kind "gpu"/);
    expect(got[1]).toBe('devices[2].ops[0].buf: no buffer named "nope" (declare it in memory.buffers)');
  });

  it('what only follows from a reported problem is left out', () => {
    const d = base();
    d.memory.buffers[0].size = '8Q'; // the buffer cannot be read: the device's use of it is no new problem
    expect(validate(d).problems).toEqual(['memory.buffers[0].size: expected a size in bytes, got "8Q" (write it like "4096", "64K" or "0x10000")']);
  });

  it('a bad optional field falls back to its default so the rest is still checked', () => {
    const d = base();
    d.devices[0].dmaMask = 99;
    d.devices[0].ops = [{ op: 'write', buf: 'bfu', len: 64 }];
    expect(validate(d).problems).toEqual([
      'devices[0].dmaMask: 99 is out of range (must be at most 64)',
      'devices[0].ops[0].buf: no buffer named "bfu" (did you mean "buf"?)',
    ]);
  });

  it('a broken required top-level field stops at zod (nothing to check against)', () => {
    const d = base() as Record<string, unknown>;
    d.memory = { dram: [] };
    expect(validate(d).problems).toEqual(['memory.dram: at least one DRAM range is needed']);
  });

  it('fixed buffers that overlap: which one overlaps which, with their ranges', () => {
    const d = base();
    d.memory.buffers = [
      { name: 'a', size: '8K', addr: '0x40000000' },
      { name: 'b', size: '4K', addr: '0x40003000' },
      { name: 'c', size: '4K', addr: '0x40001000' },
      { name: 'd', size: '4K', addr: '0x50000000' },
    ];
    d.devices = [];
    expect(validate(d).problems).toEqual([
      'memory.buffers[3].addr: buffer "d" (0x50000000..0x50001000) is not inside any DRAM range (check memory.dram)',
      'memory.buffers[2].addr: buffer "c" (0x40001000..0x40002000) overlaps buffer "a" (memory.buffers[0], 0x40000000..0x40002000) (fixed buffers need their own memory; drop "addr" to have one allocated)',
    ]);
  });
});

describe('comments (JSONC)', () => {
  const text = [
    '{',
    '  // a line comment with "quotes" and a /* inside',
    '  "version": 1, /* a block',
    '     comment */ "name": "x", "description": "see // not a comment",',
    '  "memory": { "dram": [{ "base": "0x40000000", "size": "16M" }] },',
    '  "seed": "oops"',
    '}',
  ].join('\n');

  it('are blanked in place: same length, line breaks kept, strings untouched', () => {
    const u = stripComments(text);
    expect(u.text).toHaveLength(text.length);
    expect(u.text.split('\n')).toHaveLength(text.split('\n').length);
    expect(JSON.parse(u.text.replace('"oops"', '1'))).toMatchObject({ description: 'see // not a comment', seed: 1 });
  });

  it('leave problems at their JSON path, and syntax errors at the line and column of the file', () => {
    expect(problems(text)).toEqual(['f.json:seed: expected number, got "oops"']);
    expect(problems(text.replace('"name": "x",', '"name": "x"'))).toEqual([
      'f.json: not valid JSON at line 4 column 29: expected "," or "}", found "\\"description" (fix the JSON syntax)',
    ]);
  });

  it('an unterminated block comment and a trailing comma are named as such', () => {
    expect(problems('{\n  "version": 1 /* never closed\n}')).toEqual(['f.json: a /* comment at line 2 column 16 is never closed (end it with */)']);
    expect(problems('{\n  "version": 1,\n}')).toEqual([
      'f.json: not valid JSON at line 3 column 1: expected a field name in double quotes, found "}" (remove the comma before it: JSON allows no trailing comma)',
    ]);
    expect(problems('{ "a": [1, 2, ] }')[0]).toMatch(/column 15: expected a value, found "\] }" \(remove the comma before it/);
  });
});

describe('warnings: what will certainly go wrong at run time (exit 0)', () => {
  const mtk = (ops: unknown[], more: Record<string, unknown>[] = []) => ({
    version: 1,
    name: 'w',
    description: 'larb lint',
    memory: { dram: [{ base: '0x40000000', size: '0x80000000' }], buffers: [{ name: 'b', size: '8K' }] },
    mtk: { soc: 'mt8173' },
    devices: [{ kind: 'mtk-engine', name: 'venc0', engine: 'venc', larb: 3, port: 4, start: '1us', ops }, ...more],
  });
  const map = { op: 'map', as: 'm', buf: 'b', len: '8K', dir: 'bidirectional' };

  it('mtk-larb-off: venc0 writes after its put, when jpgenc0 has already put the shared larb', () => {
    // venc0: start 1000; get@1000 map@1001 write@1002 delay@1003 (2us) put@3003 write@3004.
    // jpgenc0: start 1500; get@1500 ... put@1504. So larb3 is at 0 from 3003 (workload.ts:
    // 1 ns per op, a delay's ns; mtk-engine.ts runOp).
    const v = validateScenarioFile('scenarios/mtk-larb-off.json');
    expect(v.problems).toEqual([]);
    expect(v.warnings.map(formatProblem)).toEqual([
      "scenarios/mtk-larb-off.json:devices[0].ops[5]: venc0 writes through larb3 at t=3004ns while the larb's runtime-PM count is 0 (the last larb-put was devices[0].ops[4] at t=3003ns): the larb is suspended and the access is refused (larb-off-dma) (hold the larb while the engine does DMA: {\"op\": \"larb-get\"} before it (mtk_smi_larb_get), larb-put after)",
    ]);
  });

  it('DMA with no larb-get at all, and an unbalanced put', () => {
    const w = validate(mtk([map, { op: 'read', map: 'm', len: 64 }, { op: 'write', map: 'm', len: 64 }, { op: 'larb-put' }])).warnings;
    expect(w).toEqual([
      "devices[0].ops[1]: venc0 reads through larb3 at t=1001ns while the larb's runtime-PM count is 0 (nothing has taken larb3 yet): the larb is suspended and the access is refused (larb-off-dma); and 1 more of its accesses (hold the larb while the engine does DMA: {\"op\": \"larb-get\"} before it (mtk_smi_larb_get), larb-put after)",
      "devices[0].ops[3]: larb-put at t=1003ns while larb3's runtime-PM count is already 0: an unbalanced put (the larb-power record says so) (pair every larb-put with an earlier larb-get of the same engine)",
    ]);
  });

  it('another engine holding the larb keeps it powered: no warning', () => {
    const holder = { kind: 'mtk-engine', name: 'jpgenc0', engine: 'jpeg', larb: 3, port: 9, start: '500ns', ops: [{ op: 'larb-get' }, { op: 'delay', ns: '10us' }, { op: 'larb-put' }] };
    expect(validate(mtk([map, { op: 'read', map: 'm', len: 64 }], [holder])).warnings).toEqual([]);
  });

  it('two engines acting on the larb at the same nanosecond: no guess', () => {
    // jpgenc0 gets at 1000, when venc0 reads: the event queue orders them, not the lint.
    const other = { kind: 'mtk-engine', name: 'jpgenc0', engine: 'jpeg', larb: 3, port: 9, start: '1us', ops: [{ op: 'larb-get' }, { op: 'delay', ns: '10us' }, { op: 'larb-put' }] };
    expect(validate(mtk([{ op: 'read', map: 'm', len: 64 }, map], [other])).problems).toEqual(['devices[0].ops[0].map: no earlier "map" op names "m" (map a buffer first with {"op": "map", "as": ...} or allocate one with "alloc")']);
    const ok = mtk([{ op: 'access', iova: '0x1000', len: 64, dir: 'read' }], [other]);
    expect(validate(ok).warnings).toEqual([]);
  });

  it('a raw address outside DRAM, and a 32-bit mask with no pool to bounce through', () => {
    const d = base();
    d.memory.dram = [{ base: '0x40000000', size: '0x100000000' }];
    d.memory.buffers.push({ name: 'high', size: '4K', above: '0x100000000' });
    d.devices = [
      { kind: 'dma-engine', name: 'e0', ops: [{ op: 'write', addr: '0x10000000', len: 64 }] },
      { kind: 'bus-master', name: 'nic', dmaMask: 32, ops: [{ op: 'map', handle: 'h', buf: 'high', len: '4K', dir: 'to-device' }] },
    ];
    expect(validate(d).warnings).toEqual([
      'devices[0].ops[0].addr: e0 writes 64 bytes at 0x10000000, outside every DRAM range: on the machine this decodes to no memory (the simulator keeps the bytes anyway) (point it at memory.dram, or at a buffer with "buf")',
      'devices[1].ops[0]: nic\'s 32-bit DMA mask does not reach buffer "high" (up to 0x100000fff) and there is no SWIOTLB pool to bounce through: dma_map fails (add "swiotlb": {}, widen dmaMask, or place the buffer lower ("below"))',
    ]);
    // With a pool below 4 GiB it bounces: no warning.
    expect(validate({ ...d, swiotlb: '1024' }).warnings.filter((w) => /nic/.test(w))).toEqual([]);
  });

  it('a device that maps through an IOMMU but sits in no domain', () => {
    const s = loadScenario('mtk-tf-protect');
    const built = buildMachine(s, { file: 'f.json' });
    const m = built.machine;
    while (!iommuDomainOf(m, 'ovl0')) m.step(); // the M4U probe attaches its clients at t=0
    iommuDetachDevice(m, iommuDomainOf(m, 'ovl0')!, 'ovl0');
    expect(lintScenario({ s, built, file: 'f.json' }).map(formatProblem)).toEqual([
      "f.json:devices[0]: ovl0 maps through mtk-iommu but is attached to no IOMMU domain: every dma_map of it will fail (attach it to a domain (the IOMMU's section lists the devices behind it))",
    ]);
  });
});
