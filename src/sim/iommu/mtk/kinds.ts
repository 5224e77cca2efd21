/** Trace kinds of the MediaTek M4U + SMI model (collected in src/sim/trace-kinds.ts). */
import { type TextCodec, hex, hex32, int, oneOf, str, text } from '../../trace/field.ts';
import { kind } from '../../trace/spec.ts';

/** One larb's route in SMI_BUS_SEL: the mmu cell its traffic goes to. */
export interface LarbRoute {
  readonly larb: number;
  readonly mmu: number;
}

const ROUTE = /^larb(\d+):mmu(\d+)$/;

const routes: TextCodec<readonly LarbRoute[]> = {
  text: (rs) => rs.map((r) => `larb${r.larb}:mmu${r.mmu}`).join(' '),
  parse: (s) =>
    s === ''
      ? []
      : s.split(' ').map((w) => {
          const m = ROUTE.exec(w);
          return { larb: Number(m?.[1]), mmu: Number(m?.[2]) };
        }),
  shape: '"larb0:mmu0 larb1:mmu1 …"',
  pattern: '^(larb\\d+:mmu\\d+( |$))*$',
};

export const MTK_KINDS = [
  kind('reg', 'A register access worth showing: M4U hw_init and TLB maintenance, SMI larb MMU enables, the CPE_DONE poll.', {
    block: str('register block: "m4u0", "m4u1", "larb5", ...'),
    op: oneOf(['write', 'read', 'poll', 'clk-enable', 'probe'], '"write", "read", "poll" (CPE_DONE), "clk-enable" (bclk) or "probe"'),
    reg: str('register name as in the kernel (INV_SEL, SMI_LARB_NONSEC_CON(3), ...)'),
    off: hex32('offset from the block base').opt(),
    val: hex32('value written or read').opt(),
    result: str('poll: "timeout" when CPE_DONE never rose').opt(),
    waitedUs: int('poll: microseconds the atomic poll waited before giving up').opt(),
    warn: str('the kernel warning printed').opt(),
    error: str('probe: why the page table could not be allocated').opt(),
  }),
  kind('bus-sel', 'smi-common wrote SMI_BUS_SEL at runtime resume (gen2, bus_sel != 0): which mmu cell each larb uses.', {
    reg: str('"SMI_BUS_SEL"'),
    off: hex32('offset 0x220 in smi-common'),
    value: hex32('value written (mt8183: 0x00004414)'),
    routes: text('per larb the cell it routes to, "larb0:mmu0 larb1:mmu1 ..."', routes),
  }),
  kind('larb-power', 'Runtime PM of smi-common or a larb: resume, suspend, or a get/put that only moved the refcount.', {
    block: str('"common" or "larbN"'),
    op: oneOf(['resume', 'suspend', 'get', 'put'], '"resume", "suspend", "get", "put"'),
    refcount: int('runtime-PM usage count after the operation (-1 for an unbalanced put)'),
    power: oneOf(['on', 'off'], '"on" or "off"'),
    clocks: str('clocks enabled, in order ("apb,smi,gals"); "(common)" for a larb direct to smi-common'),
    error: str('present for an unbalanced put').opt(),
  }),
  kind('larb-off-dma', 'Error: a device issued DMA through a larb whose power or clocks were off; the access was not served.', {
    dev: str('device name'),
    larb: int('software larb id'),
    port: int('port'),
    iova: hex('address the device used'),
    dir: oneOf(['read', 'write'], '"read" or "write"'),
    refcount: int("the larb's runtime-PM count"),
    clocks: str('larb clocks on ("-" when none)'),
  }),
] as const;
