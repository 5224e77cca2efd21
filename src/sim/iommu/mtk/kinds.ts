/** Trace kinds of the MediaTek M4U + SMI model (see src/sim/trace-kinds.ts). */
import type { TraceKindDoc } from '../../trace-kinds.ts';

export const MTK_KINDS: readonly TraceKindDoc[] = [
  {
    kind: 'reg',
    summary: 'A register access worth showing: M4U hw_init and TLB maintenance, SMI larb MMU enables, the CPE_DONE poll.',
    fields: {
      block: 'register block: "m4u0", "m4u1", "larb5", ...',
      op: '"write", "read", "poll" (CPE_DONE), "clk-enable" (bclk) or "probe"',
      reg: 'register name as in the kernel (INV_SEL, SMI_LARB_NONSEC_CON(3), ...)',
      off: 'offset from the block base',
      val: 'value written or read',
      result: 'poll: "timeout" when CPE_DONE never rose',
      waitedUs: 'poll: microseconds the atomic poll waited before giving up',
      warn: 'the kernel warning printed',
      error: 'probe: why the page table could not be allocated',
    },
  },
  {
    kind: 'bus-sel',
    summary: 'smi-common wrote SMI_BUS_SEL at runtime resume (gen2, bus_sel != 0): which mmu cell each larb uses.',
    fields: {
      reg: '"SMI_BUS_SEL"',
      off: 'offset 0x220 in smi-common',
      value: 'value written (mt8183: 0x00004414)',
      routes: 'per larb the cell it routes to, "larb0:mmu0 larb1:mmu1 ..."',
    },
  },
  {
    kind: 'larb-power',
    summary: 'Runtime PM of smi-common or a larb: resume, suspend, or a get/put that only moved the refcount.',
    fields: {
      block: '"common" or "larbN"',
      op: '"resume", "suspend", "get", "put"',
      refcount: 'runtime-PM usage count after the operation (-1 for an unbalanced put)',
      power: '"on" or "off"',
      clocks: 'clocks enabled, in order ("apb,smi,gals"); "(common)" for a larb direct to smi-common',
      error: 'present for an unbalanced put',
    },
  },
  {
    kind: 'larb-off-dma',
    summary: 'Error: a device issued DMA through a larb whose power or clocks were off; the access was not served.',
    fields: {
      dev: 'device name',
      larb: 'software larb id',
      port: 'port',
      iova: 'address the device used',
      dir: '"read" or "write"',
      refcount: "the larb's runtime-PM count",
      clocks: 'larb clocks on ("-" when none)',
    },
  },
];
