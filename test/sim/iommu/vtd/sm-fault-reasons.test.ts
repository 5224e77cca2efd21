/**
 * vsva-nested-fault: two faults of requests with PASID through a nested PASID entry, printed
 * as each kernel's dmar_fault_do_one does (drivers/iommu/dmar.c). v5.4.1's dmar_get_fault_reason
 * decodes scalable-mode reasons from dma_remap_sm_fault_reasons; v5.0.1 has no such table and
 * prints "Unknown", without the PASID (its format has no PASID field).
 */
import { describe, expect, it } from 'vitest';
import { expectGolden, runLines, runRecords } from '../../../helpers/scenario.ts';

const klog = (kernel: 'v5.0' | 'v5.4') =>
  runRecords('vsva-nested-fault', { kernel }).filter((r) => r.kind === 'klog' && String(r.text).includes('fault reason')).map((r) => r.text);

describe('vsva-nested-fault', () => {
  it('v5.4: 0x71 (113) and 0x85 (133) named from the scalable-mode table, with the PASID', () => {
    expect(klog('v5.4')).toEqual([
      'DMAR: [DMA Read] Request device [02:00.0] PASID 1 fault addr 402000 [fault reason 113] SM: Present bit in first-level paging entry is clear',
      'DMAR: [DMA Write] Request device [02:00.0] PASID 1 fault addr 401000 [fault reason 133] SM: No write permission for Write/AtomicOp request',
    ]);
  });

  it('v5.0: the same reasons are "Unknown"', () => {
    expect(klog('v5.0')).toEqual([
      'DMAR: [DMA Read] Request device [02:00.0] fault addr 402000 [fault reason 113] Unknown',
      'DMAR: [DMA Write] Request device [02:00.0] fault addr 401000 [fault reason 133] Unknown',
    ]);
  });

  it('matches its golden traces', () => {
    expectGolden('vsva-nested-fault.v5.4.seed-1.jsonl', runLines('vsva-nested-fault'));
    expectGolden('vsva-nested-fault.v5.0.seed-1.jsonl', runLines('vsva-nested-fault', { kernel: 'v5.0' }));
  });
});
