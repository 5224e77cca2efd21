/**
 * The scenario's `swiotlb` section in the kernel's own units. kernel/dma/swiotlb.c (v5.0.1,
 * same in v5.4.1): setup_io_tlb_npages parses `swiotlb=` as
 *   if (isdigit(*str)) io_tlb_nslabs = ALIGN(simple_strtoul(str, &str, 0), IO_TLB_SEGSIZE);
 *   if (*str == ',') ++str;  "force" -> SWIOTLB_FORCE;  "noforce" -> SWIOTLB_NO_FORCE, nslabs 1
 * with IO_TLB_SEGSIZE = 128 and simple_strtoul base 0 (0x.. hex, leading 0 octal), and
 * swiotlb_init falls back to IO_TLB_DEFAULT_SIZE (64 MiB) >> IO_TLB_SHIFT (11) = 32768 slabs
 * when io_tlb_nslabs is 0. A byte size is not a kernel parameter and has its own name.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';

function parse(swiotlb: unknown) {
  const s = {
    version: 1, name: 't', description: 'test',
    memory: { dram: [{ base: '0x40000000', size: '0x100000000' }] }, devices: [], swiotlb,
  };
  return parseScenarioText(JSON.stringify(s), 'x.json');
}

function section(swiotlb: unknown) {
  const r = parse(swiotlb);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.scenario.swiotlb!;
}

function problems(swiotlb: unknown): string[] {
  const r = parse(swiotlb);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
}

describe('swiotlb= in the kernel form (slabs)', () => {
  it('"1000" is 1000 slabs rounded up to a multiple of 128: 1024', () => {
    expect(section('1000')).toEqual({ nslabs: 1024, force: false, below: 0x1_0000_0000 });
  });

  it('",force" forces bouncing; "force" alone keeps the default 64 MiB = 32768 slabs', () => {
    expect(section('1000,force')).toMatchObject({ nslabs: 1024, force: true });
    expect(section('force')).toMatchObject({ nslabs: 32768, force: true });
  });

  it('0 falls back to the default pool; hex and octal as simple_strtoul(str, _, 0) reads them', () => {
    expect(section('0').nslabs).toBe(32768);
    expect(section('0x400').nslabs).toBe(1024);
    expect(section('0400').nslabs).toBe(256); // octal 256 = 2 segments
    expect(section('129').nslabs).toBe(256);
  });

  it('what the kernel would ignore or we do not model is an error at the path', () => {
    expect(problems('1000,forced')[0]).toMatch(/^swiotlb: /);
    expect(problems('64M')[0]).toMatch(/^swiotlb: .*slabs/);
    expect(problems('noforce')[0]).toMatch(/^swiotlb: .*noforce/);
  });
});

describe('swiotlb as an object: nslabs (the kernel number) or bytes', () => {
  it('nslabs follows swiotlb=<n>; bytes rounds up to whole slabs, then to 128 of them', () => {
    expect(section({ nslabs: 1000 })).toEqual({ nslabs: 1024, force: false, below: 0x1_0000_0000 });
    expect(section({ bytes: '64M', force: true })).toMatchObject({ nslabs: 32768, force: true });
    expect(section({ bytes: 3000 }).nslabs).toBe(128);
    expect(section({}).nslabs).toBe(32768);
  });

  it('both, or the old ambiguous "size", are refused with a way out', () => {
    expect(problems({ nslabs: 1024, bytes: '2M' })).toEqual(['swiotlb: give nslabs or bytes, not both']);
    expect(problems({ size: '1M' })[0]).toMatch(/^swiotlb\.size: unknown field "size" \(.*(bytes.*nslabs|nslabs.*bytes)/);
  });

  it('the pool built from "1000" is 1024 slabs of 2 KiB below 4 GiB', () => {
    const r = parse('1000');
    if (!r.ok) throw new Error('invalid');
    const st = buildMachine(r.scenario).machine.state.models.swiotlb as { nslabs: number; start: number; end: number };
    expect(st.nslabs).toBe(1024);
    expect(st.end - st.start).toBe(1024 * 2048);
    expect(st.end).toBeLessThanOrEqual(0x1_0000_0000);
  });
});
