// HMM against mm/hmm.c and include/linux/hmm.h (v5.0.1 and v5.4.1), values derived by hand:
// - an entry is (pfn << pfn_shift) | flags[VALID] (| flags[WRITE] when the CPU PTE is
//   writable): hmm_pfn_from_pfn / hmm_device_entry_from_pfn, pte_to_hmm_pfn_flags;
// - pte_none gives values[NONE]; v5.4 gives values[SPECIAL] and -EFAULT for pte_special
//   (the zero page), v5.0 has no such check and reports the zero page's pfn;
// - a device VMA: v5.0 VM_SPECIAL -> every pfn values[SPECIAL], -EINVAL; v5.4 -EFAULT;
// - on munmap: invalidate_range_start -> hmm_invalidate_range_start -> every mirror's
//   sync_cpu_device_pagetables (hmm->mirrors, newest first: list_add) -> the CPU PTEs are
//   zapped -> invalidate_range_end (no mirror call) -> the pages are freed after end.
import { describe, expect, it } from 'vitest';
import { type Rec, runObj } from './helpers.ts';
import { AMDGPU_PFN, NOUVEAU_PFN } from '../../../src/sim/mm/hmm-state.ts';
import { hmmEntryFromPfn, hmmEntryToPfn } from '../../../src/sim/mm/hmm-range.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';

const A = 0x7f0000000000;
const hex = (n: number) => '0x' + n.toString(16);

describe('pfn encodings (hmm_device_entry_from_pfn / _to_pfn)', () => {
  it('nouveau: VALID 0x1, WRITE 0x2, shift 12; ERROR = SPECIAL = ~VALID, NONE = 0', () => {
    expect(hmmEntryFromPfn(NOUVEAU_PFN, 0x80003)).toBe(0x80003001n);
    expect(hmmEntryToPfn(NOUVEAU_PFN, 0x80003003n)).toBe(0x80003);
    expect(NOUVEAU_PFN.error).toBe(0xffff_ffff_ffff_fffen);
    for (const v of [0n, 0xffff_ffff_ffff_fffen, 0x80003000n /* VALID clear */]) expect(hmmEntryToPfn(NOUVEAU_PFN, v)).toBe(-1);
  });

  it('amdgpu: ERROR 0xfffffffffffffffe, SPECIAL 0xfffffffffffffffc, NONE 0, pfn_shift PAGE_SHIFT', () => {
    expect(hmmEntryFromPfn(AMDGPU_PFN, 0x12345)).toBe(0x12345001n);
    expect(hmmEntryToPfn(AMDGPU_PFN, 0xffff_ffff_ffff_fffcn)).toBe(-1);
    expect(hmmEntryToPfn(AMDGPU_PFN, 0x12345003n)).toBe(0x12345);
  });
});

function gpuScenario(kernel: KernelVersion, o: { vmas: Record<string, unknown>[]; ops: Record<string, unknown>[]; mm?: Record<string, unknown>[]; encoding?: string; extra?: Record<string, unknown>[] }) {
  return runObj(
    {
      kernel,
      processes: [{ name: 'app', vmas: o.vmas, ops: o.mm ?? [] }],
      devices: [{ kind: 'pci-endpoint', name: 'gpu0', encoding: o.encoding ?? 'nouveau', ops: [{ op: 'hmm-mirror', process: 'app' }, ...o.ops] }, ...(o.extra ?? [])],
    },
    { kernel },
  ).recs;
}

const faults = (rs: Rec[]) => rs.filter((r) => r.kind === 'hmm-fault');

describe('the snapshot per version', () => {
  it('anonymous pages: pfn << 12 | VALID | WRITE; a read-only PTE has no WRITE; pte_none is NONE', () => {
    for (const k of ['v5.0', 'v5.4'] as const) {
      // Page 0 written (rw anon page), page 1 never touched; a snapshot does not fault.
      const rs = gpuScenario(k, {
        vmas: [{ start: hex(A), size: '8K' }],
        mm: [{ op: 'write', at: 100, va: hex(A), len: 8 }, { op: 'fork', at: 200, child: 'kid' }],
        ops: [{ op: 'delay', ns: 1000 }, { op: 'hmm-fault', va: hex(A), len: '8K' }],
      });
      // After fork the parent's private page is write-protected (COW): VALID only.
      const f = faults(rs)[0];
      const page0 = rs.find((r) => r.kind === 'cpu-pte' && r.why === 'do_anonymous_page')!;
      const pfn = Math.floor(parseInt(String(page0.new), 16) / 4096);
      // The read fault request (VALID) on page 1 faults it in: the shared zero page, read-only.
      const zero = rs.filter((r) => r.kind === 'cpu-pte' && String(r.why).startsWith('do_anonymous_page(zero)')).at(-1)!;
      const zpfn = Math.floor(parseInt(String(zero.new), 16) / 4096);
      if (k === 'v5.0') {
        expect(f.pfns).toBe(`${hex(pfn * 4096 + 1)} ${hex(zpfn * 4096 + 1)}`);
        expect(f.ret).toBe(0);
      } else {
        // v5.4: pte_special -> values[SPECIAL] and -EFAULT; walk_pmd sets last to that page and
        // hmm_range_fault clears [last, end) to values[NONE], the SPECIAL entry included.
        expect(f.pfns).toBe(`${hex(pfn * 4096 + 1)} 0x0`);
        expect(f.ret).toBe(-14);
      }
    }
  });

  it('a write request on a read-only CPU PTE write-faults it (do_wp_page), then reports VALID|WRITE', () => {
    const rs = gpuScenario('v5.4', {
      vmas: [{ start: hex(A), size: '4K' }],
      mm: [{ op: 'write', at: 100, va: hex(A), len: 8 }, { op: 'fork', at: 200, child: 'kid' }],
      ops: [{ op: 'delay', ns: 1000 }, { op: 'hmm-fault', va: hex(A), len: '4K', write: true }],
    });
    const copy = rs.find((r) => r.kind === 'cpu-pte' && r.why === 'set_pte_at_notify')!;
    expect(faults(rs)[0].pfns).toBe(hex(parseInt(String(copy.new), 16) - 0x67 + 0x3));
    // wp_page_copy's notifier pair reached HMM in the middle of the fault and ended before it returned.
    const t = faults(rs)[0].t;
    expect(rs.filter((r) => r.kind === 'hmm-invalidate' && r.t === t).map((r) => r.phase)).toEqual(['start', 'end']);
  });

  it('no VM_READ is not modelled here; a VM_PFNMAP VMA: v5.0 SPECIAL + -EINVAL, v5.4 -EFAULT', () => {
    for (const k of ['v5.0', 'v5.4'] as const) {
      const rs = gpuScenario(k, { vmas: [{ start: hex(A), size: '8K', kind: 'device', pgoff: '0xa0000' }], ops: [{ op: 'hmm-fault', va: hex(A), len: '8K' }] });
      expect([faults(rs)[0].ret, faults(rs)[0].pfns]).toEqual(k === 'v5.0' ? [-22, '0xfffffffffffffffe 0xfffffffffffffffe'] : [-14, '0x1 0x1']);
    }
  });
});

describe('munmap under two mirrors: the call order', () => {
  for (const k of ['v5.0', 'v5.4'] as const) {
    it(k, () => {
      const rs = gpuScenario(k, {
        vmas: [{ start: hex(A), size: '8K', fill: 1 }],
        mm: [{ op: 'munmap', at: 5000, start: hex(A), size: '4K' }],
        ops: [{ op: 'hmm-fault', va: hex(A), len: '8K' }],
        extra: [{ kind: 'pci-endpoint', name: 'gpu1', start: 10, ops: [{ op: 'hmm-mirror', process: 'app' }, { op: 'hmm-fault', va: hex(A), len: '8K' }] }],
      });
      const seq = rs
        .filter((r) => r.t === 5000)
        .map((r) => {
          if (r.kind === 'notifier') return `notifier:${r.op}`;
          if (r.kind === 'hmm-invalidate') return `hmm:${r.phase}`;
          if (r.kind === 'hmm-sync') return `sync:${r.mirror}`;
          if (r.kind === 'dev-pte') return `dev-pte:${r.dev}`;
          if (r.kind === 'cpu-pte') return 'cpu-pte';
          if (r.kind === 'page-free') return 'free';
          return String(r.kind);
        });
      expect(seq).toEqual([
        'mm', 'notifier:invalidate_range_start', 'hmm:start', 'sync:gpu1', 'dev-pte:gpu1', 'sync:gpu0', 'dev-pte:gpu0', 'cpu-pte',
        'notifier:invalidate_range_end', 'hmm:end', 'free',
      ]);
      // No invalidate_range reaches HMM (its ops have none), on either version.
      expect(rs.some((r) => r.kind === 'notifier' && r.op === 'invalidate_range')).toBe(false);
      expect(rs.some((r) => r.kind === 'coherency-violation')).toBe(false);
    });
  }
});
