/**
 * Checks of the `amd` section zod cannot express: the devices it names exist and can sit
 * behind an IOMMU, PCI functions and IOMMU names are unique, and every op names a device,
 * a domain that exists by then (a group's default "dma-GROUP" or an earlier domain-alloc),
 * a buffer, and 4 KiB-aligned IOMMU-API ranges that fit.
 */
import { parseBdf, pciDevid } from '../sim/pci/bdf.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';
import { deviceHostIommu, pciPlan } from './build/pci-topology.ts';

const PAGE = 4096;

export function checkAmd(s: ScenarioOut, file: string): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const amd = s.amd;
  if (!amd) return out;
  const iommuNames = amd.iommus.map((i) => i.name);
  amd.iommus.forEach((i, k) => {
    if (iommuNames.indexOf(i.name) !== k) out.push({ file, path: `amd.iommus[${k}].name`, message: `duplicate IOMMU name "${i.name}"` });
  });
  const devices = new Map(s.devices.map((d) => [d.name, d]));
  const seenDev = new Set<string>();
  const seenId = new Map<string, number>();
  amd.devices.forEach((d, i) => {
    const at = `amd.devices[${i}]`;
    const dev = devices.get(d.dev);
    if (!dev) {
      const near = closest(d.dev, [...devices.keys()]);
      out.push({ file, path: `${at}.dev`, message: `no device named "${d.dev}"`, hint: near ? `did you mean "${near}"?` : 'declare it in devices[]' });
    } else if (dev.kind !== 'bus-master' && dev.kind !== 'virtio-blk' && dev.kind !== 'pci-endpoint' && dev.kind !== 'sva-device') {
      out.push({ file, path: `${at}.dev`, message: `"${d.dev}" is a ${dev.kind}; only bus-master, virtio-blk and pci-endpoint devices (the DMA ops) and sva-device (IOMMUv2) sit behind an AMD IOMMU` });
    } else if (dev.kind === 'sva-device' && !s.sva?.bindings.some((b) => b.device === d.dev && b.iommu === 'amd-v2')) {
      out.push({ file, path: `${at}.dev`, message: `sva-device "${d.dev}" is behind an AMD IOMMU but not bound with iommu "amd-v2"`, hint: 'add it to sva.bindings with "iommu": "amd-v2"' });
    }
    if (seenDev.has(d.dev)) out.push({ file, path: `${at}.dev`, message: `"${d.dev}" is listed twice` });
    seenDev.add(d.dev);
    const b = parseBdf(d.bdf);
    if (b) {
      const key = `${b.segment}:${pciDevid(b)}`;
      if (seenId.has(key)) out.push({ file, path: `${at}.bdf`, message: `${d.bdf} is also amd.devices[${seenId.get(key)}]'s PCI function` });
      seenId.set(key, i);
    }
    if (d.iommu !== undefined && !iommuNames.includes(d.iommu)) {
      const near = closest(d.iommu, iommuNames);
      out.push({ file, path: `${at}.iommu`, message: `no IOMMU named "${d.iommu}"`, hint: near ? `did you mean "${near}"?` : `IOMMUs: ${iommuNames.join(', ')}` });
    }
  });
  // On PCI, every device under a host bridge with an AMD IOMMU is behind it, listed or not.
  const plan = pciPlan(s);
  const onPci = plan ? s.devices.filter((d, i) => deviceHostIommu(plan, i)?.translator === 'amd' && !amd.devices.some((x) => x.dev === d.name)).map((d) => d.name) : [];
  if (!amd.devices.length && !onPci.length) {
    out.push({ file, path: 'amd.devices', message: 'no device sits behind the AMD IOMMUs', hint: plan ? 'list devices here, or put devices under a host bridge whose "iommu" is an AMD IOMMU' : 'list the devices here with their PCI function' });
  }
  const amdDevs = [...amd.devices.map((d) => d.dev), ...onPci];
  const defaults = new Set([...amd.devices.map((d) => `dma-${d.group ?? d.dev}`), ...onPci.map((n) => `dma-${n}`)]);
  const bufs = new Map(s.memory.buffers.map((b) => [b.name, b]));
  // Ops run in time order (ties in list order): a domain must exist by then.
  const order = amd.ops.map((op, i) => ({ op, i })).sort((x, y) => x.op.at - y.op.at || x.i - y.i);
  const live = new Set(defaults);
  for (const { op, i } of order) {
    const at = `amd.ops[${i}]`;
    const needDev = (name: string) => {
      if (!amdDevs.includes(name)) {
        const near = closest(name, amdDevs);
        out.push({ file, path: `${at}.dev`, message: `"${name}" is not a device in amd.devices`, hint: near ? `did you mean "${near}"?` : undefined });
      }
    };
    const needDomain = (name: string) => {
      if (!live.has(name)) {
        const near = closest(name, [...live]);
        out.push({ file, path: `${at}.domain`, message: `no domain "${name}" at ${op.at} ns`, hint: near ? `did you mean "${near}"?` : 'allocate it with an earlier "domain-alloc" op' });
      }
    };
    const needBuf = (name: string, off: number, len: number | undefined) => {
      const b = bufs.get(name);
      if (!b) {
        const near = closest(name, [...bufs.keys()]);
        out.push({ file, path: `${at}.buf`, message: `no buffer named "${name}"`, hint: near ? `did you mean "${near}"?` : 'declare it in memory.buffers' });
      } else if (off + (len ?? 0) > b.size) out.push({ file, path: `${at}.size`, message: `${off + (len ?? 0)} bytes from offset ${off} overrun buffer "${name}" (${b.size} bytes)` });
    };
    const aligned = (field: string, v: number) => {
      if (v % PAGE) out.push({ file, path: `${at}.${field}`, message: `${field} 0x${v.toString(16)} is not 4 KiB aligned`, hint: 'the AMD IOMMU maps 4 KiB pages at least (iommu_map refuses unaligned ranges)' });
    };
    switch (op.op) {
      case 'domain-alloc':
        if (live.has(op.domain)) out.push({ file, path: `${at}.domain`, message: `domain "${op.domain}" exists already` });
        live.add(op.domain);
        break;
      case 'domain-free':
        needDomain(op.domain);
        if (defaults.has(op.domain)) out.push({ file, path: `${at}.domain`, message: `"${op.domain}" is a group's default domain; it goes with its group` });
        live.delete(op.domain);
        break;
      case 'attach':
        needDev(op.dev);
        needDomain(op.domain);
        break;
      case 'detach':
      case 'dev-read':
      case 'dev-write':
        needDev(op.dev);
        break;
      case 'iommu-map':
        needDomain(op.domain);
        needBuf(op.buf, op.offset, op.size);
        aligned('iova', op.iova);
        aligned('offset', op.offset);
        aligned('size', op.size);
        break;
      case 'iommu-unmap':
        needDomain(op.domain);
        aligned('iova', op.iova);
        aligned('size', op.size);
        break;
      case 'cpu-fill':
        needBuf(op.buf, op.offset, op.len);
        break;
    }
  }
  return out;
}
