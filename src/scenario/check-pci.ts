/**
 * Checks of the pci section and the pci-endpoint devices zod cannot express: the topology
 * enumerates (slots unique, BARs fit the window), BARs and p2pmem make sense, every device
 * that names a PCI function finds it, and each endpoint's ops refer to things that exist
 * by the time they run (handles, processes, a mirror before HMM accesses).
 */
import { enumeratePci, type Enumerated } from '../sim/pci/enumerate.ts';
import { parseAcsRedirParam } from '../sim/pci/setup.ts';
import { parseBdf } from '../sim/pci/bdf.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { PciEndpointOut } from './schema/pci.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';
import { pciEndpointNodes, pciHostsIn, resolveHostIommu } from './build/pci-topology.ts';

type Problems = ScenarioProblem[];
const PAGE = 4096;
const isPow2 = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n;

function checkTopology(s: ScenarioOut, file: string, out: Problems): Enumerated | undefined {
  if (!s.pci) return undefined;
  s.pci.hostBridges.forEach((h, i) => {
    const r = resolveHostIommu(s, h);
    if ('message' in r) out.push({ file, path: `pci.hostBridges[${i}].iommu`, message: r.message, hint: r.hint });
    if ((h.window.cpu % PAGE) || (h.window.size % PAGE)) out.push({ file, path: `pci.hostBridges[${i}].window`, message: 'the window must be page aligned and a whole number of pages' });
    const d = s.memory.dram.find((r) => h.window.cpu < r.base + r.size && r.base < h.window.cpu + h.window.size);
    if (d) out.push({ file, path: `pci.hostBridges[${i}].window`, message: `the window overlaps DRAM at 0x${d.base.toString(16)}`, hint: 'BARs live in MMIO space: move the window outside memory.dram' });
  });
  for (const { path, node } of pciEndpointNodes(s.pci)) {
    node.bars.forEach((b, j) => {
      if (!isPow2(b.size) || b.size < PAGE) out.push({ file, path: `${path}.bars[${j}].size`, message: `BAR size ${b.size} is not a power of two of at least 4 KiB` });
    });
    const seen = new Set<number>();
    node.bars.forEach((b, j) => {
      if (seen.has(b.bar)) out.push({ file, path: `${path}.bars[${j}].bar`, message: `BAR ${b.bar} declared twice` });
      seen.add(b.bar);
    });
    if (node.p2pmem) {
      const bar = node.bars.find((b) => b.bar === node.p2pmem!.bar);
      if (!bar) out.push({ file, path: `${path}.p2pmem.bar`, message: `no BAR ${node.p2pmem.bar} on this endpoint`, hint: 'declare it in "bars"' });
      else if (node.p2pmem.offset + node.p2pmem.size > bar.size || node.p2pmem.offset >= bar.size) {
        out.push({ file, path: `${path}.p2pmem`, message: `offset ${node.p2pmem.offset} + size ${node.p2pmem.size} does not fit BAR ${bar.bar} (${bar.size} bytes)` });
      }
    }
  }
  if (s.pci.disableAcsRedir !== undefined && parseAcsRedirParam(s.pci.disableAcsRedir).some((b) => b === undefined)) {
    out.push({ file, path: 'pci.disableAcsRedir', message: `cannot parse "${s.pci.disableAcsRedir}"`, hint: 'PCI addresses like "0000:02:01.0" separated by ";"' });
  }
  const en = enumeratePci(pciHostsIn({ ...s, pci: s.pci }));
  out.push(...en.problems.map((p) => ({ file, ...p })));
  return en;
}

/** The function a device names, or a problem. */
function fnOfDevice(en: Enumerated, d: { name: string; bdf?: string }, at: string, file: string, out: Problems): number {
  if (d.bdf !== undefined) {
    const b = parseBdf(d.bdf);
    const i = b ? en.fns.findIndex((f) => f.segment === b.segment && f.bus === b.bus && f.devfn === ((b.dev << 3) | b.fn)) : -1;
    if (i < 0) out.push({ file, path: `${at}.bdf`, message: `no PCI function ${d.bdf} in the pci section`, hint: `functions: ${en.fns.filter((f) => f.type === 'endpoint').map((f) => f.name).join(', ')}` });
    else if (en.fns[i].type !== 'endpoint') out.push({ file, path: `${at}.bdf`, message: `${d.bdf} is a ${en.fns[i].type}, not an endpoint` });
    return i;
  }
  return en.fns.findIndex((f) => f.name === d.name && f.type === 'endpoint');
}

function checkEndpoint(s: ScenarioOut, en: Enumerated | undefined, d: PciEndpointOut, at: string, file: string, out: Problems): void {
  const fn = en ? fnOfDevice(en, d, at, file, out) : -1;
  if (en && fn < 0 && d.bdf === undefined) {
    const near = closest(d.name, en.fns.filter((f) => f.type === 'endpoint').map((f) => f.name));
    out.push({ file, path: `${at}.name`, message: `no endpoint named "${d.name}" in the pci section`, hint: near ? `did you mean "${near}", or give "bdf"?` : 'name its endpoint the same, or give "bdf"' });
  }
  const processes = [...s.processes.map((p) => p.name), ...s.processes.flatMap((p) => p.ops.flatMap((o) => (o.op === 'fork' ? [o.child] : [])))];
  const names = [...s.devices.map((x) => x.name), ...(en?.fns.map((f) => f.name) ?? [])];
  const bufs = new Map(s.memory.buffers.map((b) => [b.name, b]));
  const handles = new Map<string, 'p2pmem' | 'map'>();
  const node = s.pci && fn >= 0 ? pciEndpointNodes(s.pci).find((x) => en!.paths[fn] === x.path)?.node : undefined;
  let mirrored = false;
  const need = (cond: boolean, path: string, message: string, hint?: string) => {
    if (!cond) out.push({ file, path, message, ...(hint ? { hint } : {}) });
  };
  const nameRef = (n: string, path: string) => {
    if (names.includes(n)) return;
    const near = closest(n, names);
    out.push({ file, path, message: `no device or PCI function named "${n}"`, hint: near ? `did you mean "${near}"?` : 'name a device or a function of the pci section' });
  };
  const handleRef = (h: string, path: string, kind: 'p2pmem' | 'map') => {
    const k = handles.get(h);
    need(k === kind, path, k ? `"${h}" is ${k === 'map' ? 'a mapping' : 'p2pmem'}, not ${kind === 'map' ? 'a mapping' : 'p2pmem'}` : `no handle "${h}" at this point`, k ? undefined : `create it with ${kind === 'map' ? '"p2p-map" or "dma-map"' : '"p2p-alloc"'} first`);
  };
  const processRef = (p: string, path: string) => need(processes.includes(p), path, `no process named "${p}"`, 'declare it in processes');
  d.ops.forEach((o, j) => {
    const p = `${at}.ops[${j}]`;
    if (o.op.startsWith('p2p') || o.op === 'mmap-bar' || o.op === 'bar-move') need(!!s.pci, p, `"${o.op}" needs a pci section`, 'describe the topology in "pci"');
    switch (o.op) {
      case 'p2p-distance':
        nameRef(o.provider, `${p}.provider`);
        o.clients.forEach((c, k) => nameRef(c, `${p}.clients[${k}]`));
        break;
      case 'p2p-alloc':
        if (o.provider) nameRef(o.provider, `${p}.provider`);
        o.clients.forEach((c, k) => nameRef(c, `${p}.clients[${k}]`));
        handles.set(o.as, 'p2pmem');
        break;
      case 'p2p-free': handleRef(o.handle, `${p}.handle`, 'p2pmem'); break;
      case 'p2p-map':
        handleRef(o.handle, `${p}.handle`, 'p2pmem');
        handles.set(o.as, 'map');
        break;
      case 'p2p-unmap': case 'dma-unmap': case 'write': case 'read':
        handleRef(o.handle, `${p}.handle`, 'map');
        break;
      case 'dma-map': {
        const b = bufs.get(o.buf);
        need(!!b, `${p}.buf`, `no buffer named "${o.buf}"`, 'declare it in memory.buffers');
        if (b) need(o.offset + o.len <= b.size, `${p}.len`, `${o.offset + o.len} bytes from offset ${o.offset} overrun buffer "${o.buf}" (${b.size} bytes)`);
        handles.set(o.as, 'map');
        break;
      }
      case 'odirect-read':
        processRef(o.process, `${p}.process`);
        need(o.va % PAGE === 0 && o.len % PAGE === 0, p, 'an O_DIRECT buffer here must be page aligned and a whole number of pages');
        break;
      case 'mmap-bar':
        processRef(o.process, `${p}.process`);
        need(o.va % PAGE === 0 && o.len % PAGE === 0, p, 'va and len must be page aligned');
        if (o.how === 'vm_insert_page') need(!!node?.p2pmem, `${p}.how`, 'vm_insert_page inserts p2pmem from the device\'s own pool: give its endpoint "p2pmem"');
        else if (node) {
          const bar = node.bars.find((b) => b.bar === o.bar);
          need(!!bar && o.offset + o.len <= bar.size, `${p}.bar`, bar ? `offset + len overrun BAR ${o.bar} (${bar.size} bytes)` : `no BAR ${o.bar} on this endpoint`);
        }
        break;
      case 'bar-move': processRef(o.process, `${p}.process`); break;
      case 'hmm-mirror':
        processRef(o.process, `${p}.process`);
        mirrored = true;
        break;
      case 'hmm-unmirror': need(mirrored, p, 'hmm-unmirror before any hmm-mirror'); break;
      case 'hmm-access': case 'hmm-fault':
        need(mirrored, p, `"${o.op}" needs the device to mirror a process first`, 'add an "hmm-mirror" op before it');
        break;
      case 'delay': break;
    }
  });
}

export function checkPci(s: ScenarioOut, file: string): Problems {
  const out: Problems = [];
  const en = checkTopology(s, file, out);
  s.devices.forEach((d, i) => {
    const at = `devices[${i}]`;
    if (d.kind === 'pci-endpoint') checkEndpoint(s, en, d, at, file, out);
    else {
      const bdf = (d as unknown as { bdf?: unknown }).bdf; // devices of other kinds on PCI (VT-d, AMD) carry one
      if (en && typeof bdf === 'string') fnOfDevice(en, { name: d.name, bdf }, at, file, out);
    }
  });
  return out;
}
