/**
 * Warnings `dmadbg validate` prints (exit 0): a scenario that is valid, and builds, but
 * where something will certainly go wrong when it runs. Only what is certain: a warning
 * the run could contradict is a bug here. Each lint reads the scenario and the machine it
 * built (where buffers landed, which DMA ops a device maps through, its IOMMU domain).
 * A model with such a rule adds a function to LINTS.
 */
import type { Built } from './build/index.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { DEVICES } from '../sim/devices/device.ts';
import { iommuDomainOf } from '../sim/iommu/core.ts';
import { iommuDmaOps } from '../sim/iommu/dma-iommu.ts';
import { dmaOpsKey } from '../sim/dma/api.ts';
import { swiotlbOf } from '../sim/dma/swiotlb-state.ts';
import { lintLarbPower } from './lint-mtk.ts';
import { type Machine, PRIO } from '../sim/machine.ts';
import { PRIO_SPAN } from '../sim/core/queue.ts';
import { SimLimitError } from '../sim/limits.ts';

export interface LintContext {
  readonly s: ScenarioOut;
  readonly built: Built;
  readonly file: string;
}

export type Lint = (c: LintContext) => ScenarioProblem[];

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * A device whose driver maps through iommu-dma (drivers/iommu/dma-iommu.c: the M4U, the PCI
 * host stand-in) but that sits in no domain after the boot: iommu_get_dma_domain finds none,
 * so every dma_map fails. Drivers with DMA ops of their own (VT-d allocates a domain at the
 * first map, AMD attaches through its device table) are not this case.
 */
const lintNoDomain: Lint = ({ built, file, s }) => {
  const out: ScenarioProblem[] = [];
  const m = built.machine;
  if (!afterBoot(m)) return out;
  const list = m.findModel(DEVICES)?.list ?? [];
  list.forEach((d, i) => {
    if (d.dmaOps === 'dma-direct' || m.service(dmaOpsKey(d.dmaOps)) !== iommuDmaOps || iommuDomainOf(m, d.name)) return;
    const index = s.devices.findIndex((x) => x.name === d.name);
    out.push({
      file,
      path: `devices[${index < 0 ? i : index}]`,
      message: `${d.name} maps through ${d.dmaOps} but is attached to no IOMMU domain: every dma_map of it will fail`,
      hint: "attach it to a domain (the IOMMU's section lists the devices behind it)",
    });
  });
  return out;
};

/** Events of the boot: at t=0, before any device's (IOMMU probes attach their devices here). */
const BOOT_EVENTS_MAX = 10_000;

/**
 * Run the boot events (t=0, kernel priority) of a machine nobody else will run: the
 * state every device starts from. False if the boot does not end by itself.
 */
function afterBoot(m: Machine): boolean {
  const q = m.state.queue;
  for (let n = 0; n < BOOT_EVENTS_MAX; n++) {
    if (q.size === 0) return true;
    const t = q.t[q.hslot[0]];
    if (t > 0 || q.hkey[0] - t * PRIO_SPAN >= PRIO.device) return true;
    try {
      m.step();
    } catch (e) {
      if (e instanceof SimLimitError) return false;
      throw e;
    }
  }
  return false;
}

/** A dma-engine reading or writing a raw physical address that no DRAM range holds. */
const lintRawAddress: Lint = ({ s, file }) => {
  const out: ScenarioProblem[] = [];
  const inDram = (a: number, len: number) => s.memory.dram.some((r) => r.base <= a && a + len <= r.base + r.size);
  s.devices.forEach((d, i) => {
    if (d.kind !== 'dma-engine') return;
    d.ops.forEach((op, j) => {
      if ((op.op === 'read' || op.op === 'write') && op.addr !== undefined && !inDram(op.addr, op.len)) {
        out.push({
          file,
          path: `devices[${i}].ops[${j}].addr`,
          message: `${d.name} ${op.op}s ${op.len} bytes at ${hex(op.addr)}, outside every DRAM range: on the machine this decodes to no memory (the simulator keeps the bytes anyway)`,
          hint: 'point it at memory.dram, or at a buffer with "buf"',
        });
      }
    });
  });
  return out;
};

/**
 * A device mapping through dma-direct a buffer its DMA mask cannot reach, with no SWIOTLB
 * pool to bounce through, or a pool the mask cannot reach either: dma_map fails
 * (dma_direct_map_page -> swiotlb_map). Bus masters' map ops and dma-engines (which map
 * every op's buffer with dma_map_single).
 */
const lintMaskUnreachable: Lint = ({ s, built, file }) => {
  const out: ScenarioProblem[] = [];
  const m = built.machine;
  const list = m.findModel(DEVICES)?.list ?? [];
  const pool = swiotlbOf(m);
  s.devices.forEach((d, i) => {
    if (d.kind !== 'bus-master' && d.kind !== 'dma-engine') return;
    const dev = list.find((x) => x.name === d.name);
    if (!dev || dev.dmaOps !== 'dma-direct') return;
    const mask = 2 ** d.dmaMask - 1;
    // What each op maps: [json path, buffer name or raw address, first byte, last byte].
    const maps: [string, string, number, number][] = [];
    const at = (buf: string, off: number, span: number) => {
      const b = built.buffers.get(buf);
      return b ? [b.pa + off, b.pa + off + span - 1] : undefined;
    };
    d.ops.forEach((op, j) => {
      const p = `devices[${i}].ops[${j}]`;
      const add = (name: string, r: number[] | undefined) => r && maps.push([p, name, r[0], r[1]]);
      if (op.op === 'map') add(`buffer "${op.buf}"`, at(op.buf, op.offset ?? 0, (op.count - 1) * (op.stride ?? op.len) + op.len));
      else if (d.kind === 'dma-engine' && (op.op === 'read' || op.op === 'write')) {
        if (op.buf !== undefined) add(`buffer "${op.buf}"`, at(op.buf, op.offset ?? 0, op.len));
        else if (op.addr !== undefined) add(`0x${op.addr.toString(16)}`, [op.addr, op.addr + op.len - 1]);
      } else if (op.op === 'copy') {
        add(`buffer "${op.src}"`, at(op.src, 0, op.len));
        add(`buffer "${op.dst}"`, at(op.dst, 0, op.len));
      }
    });
    const poolEnd = pool ? pool.end - 1 : -1;
    for (const [path, what, , last] of maps) {
      if (last <= mask && !pool?.force) continue;
      if (pool && poolEnd <= mask) continue;
      out.push({
        file,
        path,
        message: pool
          ? `${d.name} cannot reach the SWIOTLB pool (it ends at ${hex(poolEnd)}, above its ${d.dmaMask}-bit DMA mask): every bounce fails ("bounce buffer beyond dma mask")`
          : `${d.name}'s ${d.dmaMask}-bit DMA mask does not reach ${what} (up to ${hex(last)}) and there is no SWIOTLB pool to bounce through: dma_map fails`,
        hint: pool ? 'lower swiotlb.below' : 'add "swiotlb": {}, widen dmaMask, or place the buffer lower ("below")',
      });
      break;
    }
  });
  return out;
};

/** In order: lintNoDomain runs the boot, so it comes after those that read the machine as built. */
export const LINTS: readonly Lint[] = [lintLarbPower, lintRawAddress, lintMaskUnreachable, lintNoDomain];

export function lintScenario(c: LintContext): ScenarioProblem[] {
  return LINTS.flatMap((l) => l(c));
}
