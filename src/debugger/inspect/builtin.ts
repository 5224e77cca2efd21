/** The inspectors that need no model: devices and kernels. */
import { DEVICES } from '../../sim/devices/device.ts';
import { kernelTableFor } from './kernels.ts';
import { registerInspector } from './registry.ts';

registerInspector({
  name: 'devices',
  usage: 'info devices',
  summary: 'DMA masters: kind, PCI address (on PCI), mask, DMA ops, translator, workload progress',
  run: ({ machine }) => {
    const list = machine.findModel(DEVICES)?.list;
    if (!list) return ['no devices in this scenario'];
    const onPci = list.some((d) => d.pciName !== undefined); // the column only where a device is on PCI
    const pci = (t: string) => (onPci ? `${t.padEnd(12)} ` : '');
    const rows = [`${'name'.padEnd(12)} ${pci('pci')}${'kind'.padEnd(12)} ${'mask'.padStart(4)}  ${'dma ops'.padEnd(12)} ${'translator'.padEnd(10)} state`];
    for (const d of list) {
      const extra = d as unknown as Record<string, unknown>;
      const state = ['round', 'repeat', 'pc'].filter((k) => typeof extra[k] === 'number').map((k) => `${k}=${extra[k] as number}`);
      rows.push(`${d.name.padEnd(12)} ${pci(d.pciName ?? '-')}${d.kind.padEnd(12)} ${String(d.dmaMaskBits).padStart(4)}  ${d.dmaOps.padEnd(12)} ${d.translator.padEnd(10)} ${state.join(' ')}`);
    }
    return rows;
  },
});

registerInspector({
  name: 'kernels',
  usage: 'info kernels',
  summary: 'Behaviour that differs between v5.0-rc3, v5.0 and v5.4, and this scenario\'s choice',
  run: ({ machine }) => kernelTableFor(machine.config.kernel, (b) => machine.behaviour(b)),
});
