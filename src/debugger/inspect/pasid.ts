/**
 * `info pasid` (every PASID space: VT-d's IDR, each kernel's IOASID IDs, the devices bound to
 * guest PASIDs) and `info ioasid` (each IOASID framework's allocators: which is active,
 * which ops share helpers, how many IDs each holds).
 */
import { hex } from '../../sim/core/hex.ts';
import { INTEL_PASID_IDR } from '../../sim/iommu/intel/pasid-idr.ts';
import { IOASID_MODEL } from '../../sim/iommu/ioasid.ts';
import { pasidSpacesStatus } from '../../sim/iommu/ioasid-status.ts';
import { registerInspector } from './registry.ts';
import { registerNames } from '../names.ts';
import { VSVA_MODEL } from '../../sim/iommu/intel/vsva.ts';

registerInspector({
  name: 'pasid',
  usage: 'info pasid',
  summary: "PASID spaces: VT-d's IDR (intel_pasid_alloc_id), each kernel's IOASIDs (ID, set, owner, allocator), devices bound to guest PASIDs",
  models: [INTEL_PASID_IDR, IOASID_MODEL],
  run: ({ machine: m }, args) => {
    if (args.length) return [`info pasid takes no arguments, not "${args.join(' ')}"`];
    const v = pasidSpacesStatus(m);
    const lines: string[] = [];
    if (v.idr) {
      lines.push(`VT-d IDR (intel_pasid_alloc_id): intel_pasid_max_id ${v.idr.maxId}, ${v.idr.ids.length} allocated`);
      for (const e of v.idr.ids) lines.push(`  ${e.id}  ${e.owner}`);
    }
    for (const s of v.spaces) {
      lines.push(`${s.kernel} IOASIDs (active allocator ${s.active}): ${s.ids.length} allocated`);
      for (const d of s.ids) lines.push(`  ${d.id}  set ${d.set ?? 'NULL'}  private ${d.owner ?? 'NULL'}  in ${d.allocator}${d.refs > 1 ? `  refs ${d.refs}` : ''}`);
    }
    if (v.bound.length) {
      lines.push('bound guest PASIDs (intel_svm_bind_gpasid):');
      for (const b of v.bound) {
        lines.push(b.pasid < 0 ? `  ${b.dev} (${b.guest}): unbound` : `  ${b.dev} (${b.guest}): PASID ${b.pasid}, DID ${b.did}, first stage @${hex(b.pml4Hpa)}, IOTLB ${b.iotlb}, device TLB ${b.atc}`);
      }
    }
    return lines.length ? lines : ['no PASID allocator in this scenario'];
  },
});

registerInspector({
  name: 'ioasid',
  usage: 'info ioasid',
  summary: "IOASID frameworks (what-if): per kernel, the active allocator, every registered custom allocator with the ops sharing its helpers and its IDs",
  models: [IOASID_MODEL],
  run: ({ machine: m }, args) => {
    if (args.length) return [`info ioasid takes no arguments, not "${args.join(' ')}"`];
    const lines: string[] = [];
    for (const s of pasidSpacesStatus(m).spaces) {
      lines.push(`${s.kernel}: active ${s.active}`);
      lines.push(`  default_ops (default_alloc/default_free)${s.active === 'default' ? '  <- active' : ''}`);
      for (const a of s.allocators) {
        lines.push(`  ${a.ops} (${a.fns}), ${a.ids} IDs${a.active ? '  <- active' : ''}`);
        if (a.shared.length > 1) lines.push(`    shared by ${a.shared.join(', ')}`);
      }
    }
    return lines.length ? lines : ['no IOASID framework (the `ioasid` row is "absent")'];
  },
});


// Devices assigned to vsva guests are names `break ... dev=` may use, and the guests are kernels.
registerNames((m) => {
  const v = m.findModel(VSVA_MODEL);
  return v ? { dev: v.devices.map((d) => d.name), guest: v.guests.map((g) => g.name) } : {};
});
