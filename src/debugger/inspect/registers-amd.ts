/**
 * `info registers iommuN` for the AMD IOMMU: the MMIO registers whose contents the model
 * keeps — the command buffer and event log (base with length, head and tail) and STATUS's
 * event-log interrupt bit — at the offsets of drivers/iommu/amd_iommu_types.h (v5.4.1; v5.0.1
 * the same). The device table base and CONTROL are not modelled, so not shown.
 */
import { hex } from '../../sim/core/hex.ts';
import type { AmdIommu, AmdState } from '../../sim/iommu/amd/state.ts';
import type { RegBlock, RegRow } from './registers.ts';

const MMIO_CMD_BUF_OFFSET = 0x0008;
const MMIO_EVT_BUF_OFFSET = 0x0010;
const MMIO_CMD_HEAD_OFFSET = 0x2000;
const MMIO_CMD_TAIL_OFFSET = 0x2008;
const MMIO_EVT_HEAD_OFFSET = 0x2010;
const MMIO_EVT_TAIL_OFFSET = 0x2018;
const MMIO_STATUS_OFFSET = 0x2020;
/** MMIO_CMD_SIZE_512 and EVT_LEN_MASK: 0x9 << 56, 2^9 entries (iommu_enable_command_buffer, iommu_enable_event_buffer). */
const LEN_512 = 9n << 56n;
const ENTRY_SIZE = 16;
const MMIO_STATUS_EVT_INT_MASK = 1 << 1;

function ringRow(off: number, name: string, byteOff: number): RegRow {
  return { off, name, val: BigInt(byteOff), wide: true, fields: `offset ${hex(byteOff)} entry ${byteOff / ENTRY_SIZE}` };
}

function bufRow(off: number, name: string, base: number): RegRow {
  const val = base ? BigInt(base) | LEN_512 : 0n;
  return { off, name, val, wide: true, fields: base ? `base ${hex(base)} len 2^9 (512 entries)` : 'not set' };
}

export function amdRegisterRows(iommu: AmdIommu): RegRow[] {
  // STATUS EventLogInt: set when the hardware logs an event, cleared by amd_iommu_int_thread's
  // writel(mask, MMIO_STATUS_OFFSET) before it polls the log.
  const status = iommu.evtIrq ? MMIO_STATUS_EVT_INT_MASK : 0;
  return [
    bufRow(MMIO_CMD_BUF_OFFSET, 'CMD_BUF', iommu.cmdBase),
    bufRow(MMIO_EVT_BUF_OFFSET, 'EVT_BUF', iommu.evtBase),
    ringRow(MMIO_CMD_HEAD_OFFSET, 'CMD_HEAD', iommu.cmdHead),
    ringRow(MMIO_CMD_TAIL_OFFSET, 'CMD_TAIL', iommu.cmdTail),
    ringRow(MMIO_EVT_HEAD_OFFSET, 'EVT_HEAD', iommu.evtHead),
    ringRow(MMIO_EVT_TAIL_OFFSET, 'EVT_TAIL', iommu.evtTail),
    { off: MMIO_STATUS_OFFSET, name: 'STATUS', val: status, fields: status ? 'EVT_INT' : '-' },
  ];
}

export function amdBlocks(s: AmdState): RegBlock[] {
  return s.iommus.map((i) => ({ name: i.name, title: `${i.name} (amd-iommu, devid ${hex(i.devid)})`, rows: amdRegisterRows(i) }));
}
