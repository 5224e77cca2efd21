/**
 * `info registers iommu0` on amd-map-sg-error (v5.0): nic0 writes an IOVA the failed map_sg
 * left unmapped; the IOMMU logs an IO_PAGE_FAULT and the driver's thread reads it. Expected
 * values from drivers/iommu/amd_iommu_types.h and amd_iommu_init.c / amd_iommu.c (v5.4.1):
 * - EVT_BUF (MMIO_EVT_BUF_OFFSET 0x0010): the log's PA | EVT_LEN_MASK (0x9 << 56), written by
 *   iommu_enable_event_buffer: the top byte reads 0x09.
 * - At the fault: one 16-byte entry logged, EVT_TAIL (0x2018) 0x10, EVT_HEAD (0x2010) still 0,
 *   STATUS (0x2020) MMIO_STATUS_EVT_INT_MASK (1 << 1) = 0x2.
 * - After the run: amd_iommu_int_thread cleared STATUS and iommu_poll_events wrote head =
 *   tail = 0x10.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build } from '../helpers/scenario.ts';

const row = (lines: readonly string[], name: string) => lines.find((l) => l.includes(` ${name} `));

describe('info registers iommu0 (AMD)', () => {
  it('the event log registers at the IO_PAGE_FAULT and after the driver has read it', () => {
    const s = new Session(build('amd-map-sg-error', { kernel: 'v5.0' }));
    expect(s.exec('break dma if result=fault').error).toBeUndefined();
    expect(s.exec('continue').stop?.record).toMatchObject({ kind: 'dma', dev: 'nic0', result: 'fault' });
    let lines = s.exec('info registers iommu0').lines;
    expect(lines[0]).toMatch(/^iommu0 \(amd-iommu/);
    expect(row(lines, 'EVT_BUF')).toMatch(/ 0x0010 {2}EVT_BUF +0x09[0-9a-f]{14} {2}base 0x[0-9a-f]+ len 2\^9 \(512 entries\)$/);
    expect(row(lines, 'EVT_HEAD')).toMatch(/ 0x2010 {2}EVT_HEAD +0x0{16} {2}offset 0x0 entry 0$/);
    expect(row(lines, 'EVT_TAIL')).toMatch(/ 0x2018 {2}EVT_TAIL +0x0{14}10 {2}offset 0x10 entry 1$/);
    expect(row(lines, 'STATUS')).toMatch(/ 0x2020 {2}STATUS +0x00000002 {2}EVT_INT$/);
    s.exec('delete');
    expect(s.exec('continue').stop?.reason).toBe('end');
    lines = s.exec('info registers iommu0').lines;
    expect(row(lines, 'EVT_HEAD')).toMatch(/^\* 0x2010 {2}EVT_HEAD +0x0{14}10 /);
    expect(row(lines, 'STATUS')).toMatch(/^\* 0x2020 {2}STATUS +0x00000000 {2}-$/);
  });
});
