/**
 * SVA bindings: the PASID allocator and, per bound device, its IOMMU kind, ATC size and
 * requester id. The bind itself is a scheduled mm operation (see processes.ts).
 */
import { DEVICES } from '../../sim/devices/device.ts';
import type { SvaDeviceState } from '../../sim/devices/sva-device.ts';
import { atcCreate } from '../../sim/iommu/ats/atc.ts';
import { type PasidState, SVA_MODEL } from '../../sim/mm/pasid.ts';
import type { BuildStep } from './context.ts';
import { intelPasidIdrEnsure } from '../../sim/iommu/intel/pasid-idr.ts';
import { ioasidAddSpace } from '../../sim/iommu/ioasid.ts';
import { IOASID } from '../../sim/kernel.ts';

export const buildSva: BuildStep = ({ m, s }) => {
  if (!s.sva) return;
  const p = s.sva.pasid;
  const st: PasidState = { allocator: p.allocator, native: { ...p.native }, host: { ...p.host }, used: [] };
  m.addModel(SVA_MODEL, st);
  const list = m.model(DEVICES).list;
  for (const b of s.sva.bindings) {
    const index = list.findIndex((d) => d.name === b.device);
    const dev = list[index] as SvaDeviceState;
    dev.iommu = b.iommu;
    dev.atc = atcCreate(b.atcEntries);
    dev.devid = b.devid ?? 0x0100 + index;
    dev.qdep = b.qdep;
    dev.maxPasids = b.maxPasids;
  }
  // intel_svm_bind_mm allocates from VT-d's global IDR (or, under the ioasid what-if, the host's IOASIDs).
  if (s.sva.bindings.some((b) => b.iommu === 'intel-svm')) intelPasidIdrEnsure(m);
  if (m.behaviour(IOASID) === 'present') ioasidAddSpace(m, 'host');
};
