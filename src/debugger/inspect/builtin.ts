/** The inspectors that need no model: devices and kernels; placeholders for the models to come. */
import { BEHAVIOURS } from '../../sim/kernel.ts';
import type { DevicesState } from '../../sim/devices/device.ts';
import { placeholder, registerInspector } from './registry.ts';

registerInspector({
  name: 'devices',
  usage: 'info devices',
  summary: 'DMA masters: kind, mask, DMA ops, translator, workload progress',
  run: ({ machine }) => {
    if (!machine.hasModel('devices')) return ['no devices in this scenario'];
    const list = machine.model<DevicesState>('devices').list;
    const rows = [`${'name'.padEnd(12)} ${'kind'.padEnd(12)} ${'mask'.padStart(4)}  ${'dma ops'.padEnd(12)} ${'translator'.padEnd(10)} state`];
    for (const d of list) {
      const extra = d as unknown as Record<string, unknown>;
      const state = ['round', 'repeat', 'pc'].filter((k) => typeof extra[k] === 'number').map((k) => `${k}=${extra[k] as number}`);
      rows.push(`${d.name.padEnd(12)} ${d.kind.padEnd(12)} ${String(d.dmaMaskBits).padStart(4)}  ${d.dmaOps.padEnd(12)} ${d.translator.padEnd(10)} ${state.join(' ')}`);
    }
    return rows;
  },
});

registerInspector({
  name: 'kernels',
  usage: 'info kernels',
  summary: 'Behaviour that differs between v5.0 and v5.4, and this scenario\'s choice',
  run: ({ machine }) => {
    const w = Math.max(...BEHAVIOURS.map((b) => b.id.length));
    const rows = [`kernel ${machine.config.kernel}`, `${'behaviour'.padEnd(w)}  ${'v5.0'.padEnd(16)}  ${'v5.4'.padEnd(20)}  here`];
    for (const b of BEHAVIOURS) rows.push(`${b.id.padEnd(w)}  ${b.v50.padEnd(16)}  ${b.v54.padEnd(20)}  ${machine.behaviour(b.id)}`);
    return rows;
  },
});

// Models being built elsewhere register real inspectors under these names (last one wins).
registerInspector(placeholder('iommu', 'IOMMUs: driver, domains, attached devices, fault registers', ['iommu', 'mtk']));
registerInspector(placeholder('pt', 'Page table of DOMAIN (the walk of IOVA if given)', ['iommu', 'mtk'], 'info pt DOMAIN [IOVA]'));
registerInspector(placeholder('iotlb', 'IOTLB and device-IOTLB contents', ['iommu', 'mtk']));
registerInspector(placeholder('swiotlb', 'SWIOTLB slots: used runs, owners, largest free run', ['swiotlb']));
registerInspector(placeholder('smi', 'SMI larbs, GALS, bus selection, ports', ['smi']));
registerInspector(placeholder('notifiers', 'Processes, mm notifiers and their subscribers', ['mm', 'sva']));
