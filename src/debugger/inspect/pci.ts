/**
 * `info pci`, `info p2p PROVIDER CLIENT` and `info hmm`: the PCI tree with ACS and p2pmem,
 * the p2pdma answer for a pair as v5.0 and v5.4 compute it, and HMM mirrors with their
 * device page tables beside the CPU page table.
 */
import { hex } from '../../sim/core/hex.ts';
import { PCI_MODEL } from '../../sim/pci/types.ts';
import { p2pPairStatus, pciFnByName, pciStatus, type PciFnStatus } from '../../sim/pci/status.ts';
import { HMM_MODEL } from '../../sim/mm/hmm-state.ts';
import { hmmStatus } from '../../sim/mm/hmm-status.ts';
import { registerInspector } from './registry.ts';
import { detailLines, fnLine, hostLine, treeRows } from '../views/pci-text.ts';

registerInspector({
  name: 'pci',
  usage: 'info pci',
  summary: 'PCI topology: host bridges (whitelist), root ports, switches, endpoints with ACS, BARs and p2pmem',
  models: [PCI_MODEL],
  run: ({ machine: m }) => {
    const st = pciStatus(m)!;
    const lines: string[] = [`p2pdma: ${st.kernel === 'present' ? 'v5.4 map types and host-bridge whitelist' : 'v5.0 distances (-1 no common upstream bridge, -2 ACS redirect)'}`];
    st.hosts.forEach((h, i) => {
      lines.push(hostLine(h));
      for (const { fn, prefix } of treeRows(st.fns.filter((f) => f.host === i))) {
        lines.push(`  ${prefix}${fnLine(fn)}`);
        lines.push(...detailLines(fn, `  ${prefix.replace(/[├└]/g, (c) => (c === '├' ? '│' : ' '))}    `, h));
      }
    });
    return lines;
  },
});

registerInspector({
  name: 'p2p',
  usage: 'info p2p PROVIDER CLIENT',
  summary: 'p2pdma between two functions (names or PCI addresses): the bridge walk, ACS, v5.0 distance, v5.4 map type, the cache',
  models: [PCI_MODEL],
  run: ({ machine: m }, args) => {
    if (args.length !== 2) return ['usage: info p2p PROVIDER CLIENT (device names, function names or PCI addresses)'];
    const ids = args.map((a) => pciFnByName(m, a));
    const bad = args.find((_, i) => ids[i] < 0);
    if (bad !== undefined) {
      const names = pciStatus(m)!.fns.filter((f) => f.type === 'endpoint').map((f) => f.name);
      return [`no PCI function "${bad}": endpoints are ${names.join(', ')}`];
    }
    const p = p2pPairStatus(m, ids[0], ids[1]);
    const kernel = pciStatus(m)!.kernel;
    const lines = [
      `provider ${p.providerName} (${p.provider}), client ${p.clientName} (${p.client})`,
      `  nearest common upstream bridge: ${p.common ?? 'none'} (dist_a ${p.distA}, dist_b ${p.distB})`,
      `  ACS redirect on the path: ${p.acs.length ? p.acs.join(';') : 'none'}`,
      `  v5.0 upstream_bridge_distance: ${p.v50}${p.v50 === -1 ? ' (no common upstream bridge)' : p.v50 === -2 ? ' (ACS redirect)' : ''}${kernel === 'absent' ? '   <- this kernel' : ''}`,
      `  v5.4 map type: ${p.v54.mapType}, distance ${p.v54.dist}${p.v54.viaHostBridge ? ' (through the host bridge: whitelist checked)' : ''}${kernel === 'present' ? '   <- this kernel' : ''}`,
    ];
    if (kernel === 'present' && p.cached !== undefined) lines.push(`  cached in the provider's map_types: ${p.cached}${p.cached === 'UNKNOWN' ? ' (pci_p2pdma_map_sg would WARN and fail)' : ''}`);
    if (p.acs.length) lines.push(`  hint: pci=disable_acs_redir=${p.acs.join(';')}`);
    return lines;
  },
});

registerInspector({
  name: 'hmm',
  usage: 'info hmm',
  summary: 'HMM: each mm\'s struct hmm, its mirrors, their device page tables against the CPU page table, ranges being snapshotted',
  models: [HMM_MODEL],
  run: ({ machine: m }) => {
    const st = hmmStatus(m) ?? [];
    if (st.length === 0) return ['no HMM mirror has registered yet'];
    const lines: string[] = [];
    for (const h of st) {
      const state = h.live ? (h.subscribed ? 'notifier registered' : 'released') : 'freed';
      lines.push(`mm ${h.mm}: struct hmm ${state}${h.mmCleared ? ', hmm->mm NULL' : ''}${h.users > 1 ? `, ${h.users} users` : ''}${h.notifiers ? `, ${h.notifiers} invalidation(s) in flight` : ''}${h.live && h.subscribed && h.mirrors.every((x) => !x.registered) ? ' (no mirror left: leaked)' : ''}`);
      if (h.mmapSemHeldBy) lines.push(`  mmap_sem held for write by ${h.mmapSemHeldBy} (hmm_mirror_register never returns)`);
      for (const x of h.mirrors) {
        const stale = x.devpt.filter((e) => e.stale).length;
        lines.push(`  mirror ${x.name}: ${x.stuck ? 'stuck in hmm_mirror_register' : x.registered ? 'registered' : 'unregistered'}, ${x.encoding} encoding, ${x.syncs} sync call(s), ${x.devpt.length} device PTE(s)${stale ? `, ${stale} STALE` : ''}`);
        for (const e of x.devpt) {
          const dev = `${e.p2p ? 'bus' : 'pa'} ${hex(e.addr)} ${e.write ? 'rw' : 'ro'}`;
          const cpu = e.cpuPa >= 0 ? `pa ${hex(e.cpuPa)} ${e.cpuWrite ? 'rw' : 'ro'}` : 'none';
          lines.push(`    ${hex(e.va)}  device ${dev.padEnd(22)} cpu ${cpu}${e.stale ? '  STALE' : ''}${e.p2p ? '  (p2p_map)' : ''}`);
        }
      }
      for (const r of h.ranges) lines.push(`  range ${hex(r.start)}-${hex(r.end)} of ${r.mirror}: ${r.valid ? 'valid' : 'invalid'}${r.seq !== r.seqAtSnapshot ? `, ${r.seq - r.seqAtSnapshot} invalidation(s) since the snapshot` : ''}`);
    }
    return lines;
  },
});
