/** The inspectors that need no model: devices and kernels. */
import { DEVICES } from '../../sim/devices/device.ts';
import { deviceBdf } from '../../sim/devices/identity.ts';
import { kernelTableFor } from './kernels.ts';
import { registerInspector } from './registry.ts';

registerInspector({
  name: 'devices',
  usage: 'info devices',
  summary: 'DMA masters: kind, mask, DMA ops, translator, PCI address, workload progress',
  run: ({ machine }) => {
    const list = machine.findModel(DEVICES)?.list;
    if (!list) return ['no devices in this scenario'];
    const rows = [`${'name'.padEnd(12)} ${'kind'.padEnd(12)} ${'mask'.padStart(4)}  ${'dma ops'.padEnd(12)} ${'translator'.padEnd(10)} state`];
    for (const d of list) {
      const extra = d as unknown as Record<string, unknown>;
      const state = ['round', 'repeat', 'pc'].filter((k) => typeof extra[k] === 'number').map((k) => `${k}=${extra[k] as number}`);
      const bdf = deviceBdf(machine, d.name)?.bdf;
      rows.push(`${d.name.padEnd(12)} ${d.kind.padEnd(12)} ${String(d.dmaMaskBits).padStart(4)}  ${d.dmaOps.padEnd(12)} ${d.translator.padEnd(10)} ${[...(bdf ? [bdf] : []), ...state].join(' ')}`);
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
