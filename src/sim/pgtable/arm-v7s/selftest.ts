/**
 * arm_v7s_do_selftests (CONFIG_IOMMU_IO_PGTABLE_ARMV7S_SELFTEST) as a script of steps, so a
 * device can run one step per event and a unit test can run them all. Config as the
 * kernel's: ias 32, oas 32, quirk ARM_NS (v5.0 also NO_DMA; v5.4 coherent_walk), pgsizes
 * 4K|64K|1M|16M, dummy TLB ops. The first failing check stops the test (-EFAULT), without
 * freeing the table, as __FAIL does.
 */
import type { Machine } from '../../machine.ts';
import { assertNever } from '../../core/assert.ts';
import { hex } from '../../core/hex.ts';
import { kfunc } from '../../core/kstack.ts';
import type { KernelRelease } from '../../kernel.ts';
import { IOMMU_CACHE, IOMMU_NOEXEC, IOMMU_READ, IOMMU_WRITE, protString } from '../prot.ts';
import { SZ_16M, SZ_4K, SZ_64K, SZ_1M } from './bits.ts';
import {
  armV7sAllocPgtable, armV7sFreePgtable, armV7sIovaToPhys, armV7sMap, armV7sUnmap,
} from './pgtable.ts';
import { tracingTlbOps } from './tlb.ts';
import { EEXIST, EINVAL, ENOMEM, ERANGE, type ArmV7sCfgIn, type ArmV7sPgtable } from './types.ts';

export const SELFTEST_NAME = 'arm_v7s_do_selftests';
const SZ_1G = 0x40000000;
const SZ_2G = 0x80000000;

export type SelftestStep =
  | { readonly op: 'alloc' }
  | { readonly op: 'iova_to_phys'; readonly iova: number; readonly expect: number }
  | {
      readonly op: 'map';
      readonly iova: number;
      readonly pa: number;
      readonly size: number;
      readonly prot: number;
      readonly expectFail: boolean; // the overlapping map must fail
    }
  | { readonly op: 'unmap'; readonly iova: number; readonly size: number }
  | { readonly op: 'free' };

export interface SelftestState {
  readonly domain: string;
  readonly cfgIn: ArmV7sCfgIn;
  pt: ArmV7sPgtable | null;
  pc: number;
  checks: number;
  /** 'running' until the script ends ("self test ok") or a check fails. */
  status: 'running' | 'ok' | 'failed';
}

export const SELFTEST_PGSIZES = SZ_4K | SZ_64K | SZ_1M | SZ_16M;

export function armV7sSelftestCfg(
  domain: string, kernel: KernelRelease, splitBlk: 'kernel' | 'corrected',
): ArmV7sCfgIn {
  // v5.0 sets quirk NO_DMA, v5.4 coherent_walk: the same thing, a coherent walker.
  const quirks = { armNs: true };
  return { domain, kernel, quirks, pgsizeBitmap: SELFTEST_PGSIZES, ias: 32, oas: 32, coherentWalk: true, splitBlk };
}

/** The kernel's sequence, unrolled (for_each_set_bit over pgsize_bitmap, i.e. 4K..16M). */
export function armV7sSelftestScript(): SelftestStep[] {
  const sizes = [SZ_4K, SZ_64K, SZ_1M, SZ_16M];
  const s: SelftestStep[] = [{ op: 'alloc' }];
  // Empty page tables shouldn't provide any translations.
  for (const iova of [42, SZ_1G + 42, SZ_2G + 42]) s.push({ op: 'iova_to_phys', iova, expect: 0 });
  // Distinct mappings of different granule sizes, 16M apart; an overlap must fail.
  sizes.forEach((size, n) => {
    const iova = n * SZ_16M;
    const prot = IOMMU_READ | IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_CACHE;
    s.push({ op: 'map', iova, pa: iova, size, prot, expectFail: false });
    s.push({ op: 'map', iova, pa: iova + size, size, prot: IOMMU_READ | IOMMU_NOEXEC, expectFail: true });
    s.push({ op: 'iova_to_phys', iova: iova + 42, expect: iova + 42 });
  });
  // Partial unmap of each larger mapping, then remap of the hole to PA 4K.
  for (let i = 1; i < sizes.length; i++) {
    const start = i * SZ_16M;
    s.push({ op: 'unmap', iova: start + SZ_4K, size: SZ_4K });
    s.push({ op: 'map', iova: start + SZ_4K, pa: SZ_4K, size: SZ_4K, prot: IOMMU_READ, expectFail: false });
    s.push({ op: 'iova_to_phys', iova: start + SZ_4K + 42, expect: SZ_4K + 42 });
  }
  // Full unmap, then remap of the full block with WRITE alone.
  sizes.forEach((size, n) => {
    const iova = n * SZ_16M;
    s.push({ op: 'unmap', iova, size });
    s.push({ op: 'iova_to_phys', iova: iova + 42, expect: 0 });
    s.push({ op: 'map', iova, pa: iova, size, prot: IOMMU_WRITE, expectFail: false });
    s.push({ op: 'iova_to_phys', iova: iova + 42, expect: iova + 42 });
  });
  s.push({ op: 'free' });
  return s;
}

export const SELFTEST_SCRIPT: readonly SelftestStep[] = armV7sSelftestScript();

export function errnoName(ret: number): string {
  const names: Record<number, string> = {
    [-EEXIST]: '-EEXIST', [-EINVAL]: '-EINVAL', [-ERANGE]: '-ERANGE', [-ENOMEM]: '-ENOMEM',
  };
  return names[ret] ?? String(ret);
}

function record(m: Machine, st: SelftestState, check: string, pass: boolean, expected: string, got: string): void {
  const result = pass ? 'pass' : 'fail';
  m.emit('selftest', { test: SELFTEST_NAME, step: st.pc, check, result, expected, got });
}

/** One check; a failure is __FAIL: WARN "selftest: test failed" and return -EFAULT. */
function check(m: Machine, st: SelftestState, what: string, pass: boolean, expected: string, got: string): void {
  st.checks++;
  record(m, st, what, pass, expected, got);
  if (pass) return;
  st.status = 'failed';
  record(m, st, 'selftest: test failed', false, '0', '-EFAULT');
}

function mapStep(m: Machine, st: SelftestState, step: Extract<SelftestStep, { op: 'map' }>): void {
  const ret = armV7sMap(m, st.pt!, tracingTlbOps(st.domain, SELFTEST_PGSIZES), step);
  const prot = protString(step.prot);
  m.emit('map', {
    api: 'io_pgtable_ops->map', domain: st.domain, iova: step.iova, pa: step.pa, size: step.size, prot,
    result: ret === 0 ? 'ok' : 'error', ...(ret ? { reason: errnoName(ret) } : {}),
  });
  const what = `map(${hex(step.iova)}, ${hex(step.pa)}, ${hex(step.size)}, ${prot})`;
  if (step.expectFail) check(m, st, `${what} fails`, ret !== 0, 'non-zero', errnoName(ret));
  else check(m, st, what, ret === 0, '0', errnoName(ret));
}

const F_ARM_V7S_DO_SELFTESTS = kfunc('arm_v7s_do_selftests', 'drivers/iommu/io-pgtable-arm-v7s.c');

/** Run the step at st.pc; returns false when the selftest has finished (ok or failed). */
export function armV7sSelftestStep(m: Machine, st: SelftestState): boolean {
  const k = m.kstack.enter(F_ARM_V7S_DO_SELFTESTS);
  try {
    return selftestStep(m, st);
  } finally {
    m.kstack.leave(k);
  }
}

function selftestStep(m: Machine, st: SelftestState): boolean {
  const step = SELFTEST_SCRIPT[st.pc];
  const tlb = tracingTlbOps(st.domain, SELFTEST_PGSIZES);
  switch (step.op) {
    case 'alloc': {
      const r = armV7sAllocPgtable(m, st.cfgIn);
      if (r.ok) st.pt = { ...r.pt, selftestRunning: true };
      check(m, st, 'alloc_io_pgtable_ops(ARM_V7S)', r.ok, 'ops', r.ok ? 'ops' : r.reason);
      break;
    }
    case 'iova_to_phys': {
      const pa = armV7sIovaToPhys(m, st.pt!, step.iova);
      check(m, st, `iova_to_phys(${hex(step.iova)})`, pa === step.expect, hex(step.expect), hex(pa));
      break;
    }
    case 'map':
      mapStep(m, st, step);
      break;
    case 'unmap': {
      const n = armV7sUnmap(m, st.pt!, tlb, { iova: step.iova, size: step.size });
      m.emit('unmap', { api: 'io_pgtable_ops->unmap', domain: st.domain, iova: step.iova, size: step.size });
      check(m, st, `unmap(${hex(step.iova)}, ${hex(step.size)})`, n === step.size, hex(step.size), hex(n));
      break;
    }
    case 'free':
      armV7sFreePgtable(m, st.pt!, tlb);
      st.pt = null;
      st.status = 'ok';
      record(m, st, 'self test ok', true, `${st.checks} checks`, `${st.checks} passed`);
      // pr_info("self test ok\n") under pr_fmt "arm-v7s io-pgtable: " (v5.0.1 and v5.4.1).
      m.emit('klog', { level: 'info', text: 'arm-v7s io-pgtable: self test ok' });
      break;
    default:
      assertNever(step, 'selftest step');
  }
  st.pc++;
  return st.status === 'running';
}
