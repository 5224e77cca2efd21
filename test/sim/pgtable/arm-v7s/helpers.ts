/** A bare machine with 1 GiB of DRAM at 1 GiB, and a v7s table on it. */
import { Machine } from '../../../../src/sim/machine.ts';
import type { KernelRelease, KernelVersion } from '../../../../src/sim/kernel.ts';
import { armV7sAllocPgtable } from '../../../../src/sim/pgtable/arm-v7s/index.ts';
import type { ArmV7sCfgIn, ArmV7sPgtable } from '../../../../src/sim/pgtable/arm-v7s/index.ts';

export function machine(kernel: KernelVersion = 'v5.4', dram = [{ base: 0x4000_0000, size: 0x4000_0000 }]): Machine {
  return new Machine({ scenario: 'pgtable-test', seed: 1, kernel, overrides: {}, dram });
}

export const SELFTEST_LIKE = (kernel: KernelRelease, over: Partial<ArmV7sCfgIn> = {}): ArmV7sCfgIn => ({
  domain: 'd0',
  kernel,
  quirks: { armNs: true },
  pgsizeBitmap: 0x1000 | 0x10000 | 0x100000 | 0x1000000,
  ias: 32,
  oas: 32,
  coherentWalk: true,
  splitBlk: 'kernel',
  ...over,
});

export function alloc(m: Machine, cfg: ArmV7sCfgIn): ArmV7sPgtable {
  const r = armV7sAllocPgtable(m, cfg);
  if (!r.ok) throw new Error(r.reason);
  return r.pt;
}

export function records(m: Machine, kind?: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < m.trace.count; i++) {
    const r = JSON.parse(m.trace.line(i)) as Record<string, unknown>;
    if (!kind || r.kind === kind) out.push(r);
  }
  return out;
}
