/**
 * A PCI endpoint's DMA through its host bridge's IOMMU: the topology routes the request up
 * (ACS redirect), the root complex hands it to the VT-d unit's translator (IOTLB hit). The
 * ratio against the same unit's translator called directly is the cost of the routing.
 */
import { type Bench, rate } from './harness.ts';
import { Scenario } from '../src/scenario/schema/index.ts';
import { buildMachine } from '../src/scenario/build/index.ts';
import { loadScenario } from '../test/helpers/scenario.ts';
import type { Machine } from '../src/sim/machine.ts';
import { DEVICES } from '../src/sim/devices/device.ts';
import type { PciEndpointState } from '../src/sim/devices/pci-endpoint.ts';
import { type Translator, translationCreate, translatorKey } from '../src/sim/devices/port.ts';

const out = translationCreate();

/** p2p-thru-host-bridge-vtd right after the NIC's p2p-map: the IOVA of its CMB mapping. */
function mapped(): { m: Machine; dev: PciEndpointState; iova: number } {
  const { machine: m } = buildMachine(Scenario.parse(loadScenario('p2p-thru-host-bridge-vtd')));
  m.keepTrace = false;
  const dev = m.model(DEVICES).list[0] as PciEndpointState;
  const live = () => dev.handles.find((h) => h.name === 'cmb-dma' && h.live);
  while (!live() && m.step()) {
    /* run to the map */
  }
  dev.space = 'bus';
  return { m, dev, iova: live()!.sgl[0].dmaAddress };
}

function hits(translator: string): number {
  const { m, dev, iova } = mapped();
  const t = m.service<Translator>(translatorKey(translator));
  if (!t(m, dev, iova, true, out)) throw new Error('the mapping does not translate');
  return rate(() => {
    for (let i = 0; i < 10_000; i++) t(m, dev, iova + ((i & 15) << 8), true, out);
  }, 10_000);
}

export const benches: Bench[] = [
  { name: 'pci: endpoint DMA routed to the host bridge VT-d unit, IOTLB hit', unit: 'xlate/s', sample: () => hits('pci-endpoint') },
  { name: 'pci: routed / direct VT-d translation rate', unit: 'x', sample: () => hits('pci-endpoint') / hits('vtd'), target: '>= 0.5' },
];
