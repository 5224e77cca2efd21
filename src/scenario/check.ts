/**
 * Checks zod cannot express: names that must exist or be unique, ranges that must fit,
 * kernel-behaviour overrides that must name a real row and choice.
 */
import { BEHAVIOURS, DMA_MAX_MAPPING_SIZE, VIRTIO_BLK_MAX_SEGMENT, behaviourById, behaviourChoice } from '../sim/kernel.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';
import { checkProcesses, checkSva } from './check-mm.ts';
import { checkMtk } from './check-mtk.ts';
import { checkLimits } from './check-limits.ts';
import { checkCpuMaps } from './check-cpu-maps.ts';
import { checkPci } from './check-pci.ts';
import { checkVtd } from './check-vtd.ts';
import { checkAmd } from './check-amd.ts';
import { checkPciIommu } from './check-pci-iommu.ts';

type Check = (s: ScenarioOut, file: string) => ScenarioProblem[];

const checkOverrides: Check = (s, file) => {
  const out: ScenarioProblem[] = [];
  for (const [id, choice] of Object.entries(s.overrides)) {
    const b = behaviourById(id);
    if (!b) {
      const near = closest(id, BEHAVIOURS.map((x) => x.id));
      out.push({ file, path: `overrides.${id}`, message: `unknown kernel behaviour "${id}"`, hint: near ? `did you mean "${near}"?` : 'see `dmadbg info kernels`' });
    } else if (!(b.choices as readonly string[]).includes(choice)) {
      out.push({ file, path: `overrides.${id}`, message: `"${choice}" is not a choice for ${id}`, hint: `one of: ${b.choices.join(', ')}` });
    }
  }
  return out;
};

const hexa = (n: number) => `0x${n.toString(16)}`;

/** Buffer names are unique; a fixed buffer lies inside DRAM and overlaps no other fixed one. */
const checkBuffers: Check = (s, file) => {
  const out: ScenarioProblem[] = [];
  const seen = new Set<string>();
  s.memory.buffers.forEach((b, i) => {
    if (seen.has(b.name)) out.push({ file, path: `memory.buffers[${i}].name`, message: `duplicate buffer name "${b.name}"` });
    seen.add(b.name);
    if (b.addr !== undefined) {
      const inside = s.memory.dram.some((r) => r.base <= b.addr! && b.addr! + b.size <= r.base + r.size);
      if (!inside) out.push({ file, path: `memory.buffers[${i}].addr`, message: `buffer "${b.name}" (${hexa(b.addr)}..${hexa(b.addr + b.size)}) is not inside any DRAM range`, hint: 'check memory.dram' });
    }
  });
  // Fixed buffers in address order: each against the furthest-reaching one before it.
  const fixed = s.memory.buffers.map((b, i) => ({ b, i })).filter((x) => x.b.addr !== undefined).sort((x, y) => x.b.addr! - y.b.addr! || x.i - y.i);
  let reach: (typeof fixed)[number] | undefined;
  for (const x of fixed) {
    if (reach && reach.b.addr! + reach.b.size > x.b.addr!) {
      const [a, b] = reach.i < x.i ? [reach, x] : [x, reach];
      out.push({
        file,
        path: `memory.buffers[${b.i}].addr`,
        message: `buffer "${b.b.name}" (${hexa(b.b.addr!)}..${hexa(b.b.addr! + b.b.size)}) overlaps buffer "${a.b.name}" (memory.buffers[${a.i}], ${hexa(a.b.addr!)}..${hexa(a.b.addr! + a.b.size)})`,
        hint: 'fixed buffers need their own memory; drop "addr" to have one allocated',
      });
    }
    if (!reach || x.b.addr! + x.b.size > reach.b.addr! + reach.b.size) reach = x;
  }
  return out;
};

const checkDevices: Check = (s, file) => {
  const out: ScenarioProblem[] = [];
  const names = new Set<string>();
  const bufs = new Map(s.memory.buffers.map((b) => [b.name, b]));
  s.devices.forEach((d, i) => {
    if (names.has(d.name)) out.push({ file, path: `devices[${i}].name`, message: `duplicate device name "${d.name}"` });
    names.add(d.name);
    if (d.kind === 'bus-master') out.push(...checkBusMaster(d, `devices[${i}]`, bufs, file, s.devices));
    if (d.kind === 'virtio-blk') out.push(...checkVirtioBlk(d, `devices[${i}]`, bufs, file));
    if (d.kind !== 'dma-engine') return;
    d.ops.forEach((op, j) => {
      const at = `devices[${i}].ops[${j}]`;
      const refs: [string, string | undefined][] =
        op.op === 'copy' ? [['src', op.src], ['dst', op.dst]] : op.op === 'delay' ? [] : [['buf', op.buf]];
      if ((op.op === 'read' || op.op === 'write') && (op.buf === undefined) === (op.addr === undefined)) {
        out.push({ file, path: at, message: 'give exactly one of "buf" and "addr"' });
      }
      for (const [field, name] of refs) {
        if (name === undefined) continue;
        const b = bufs.get(name);
        if (!b) {
          const near = closest(name, [...bufs.keys()]);
          out.push({ file, path: `${at}.${field}`, message: `no buffer named "${name}"`, hint: near ? `did you mean "${near}"?` : 'declare it in memory.buffers' });
        } else if ('len' in op) {
          const off = op.op === 'read' || op.op === 'write' ? op.offset ?? 0 : 0;
          if (off + op.len > b.size) out.push({ file, path: `${at}.len`, message: `${off + op.len} bytes from offset ${off} overrun buffer "${name}" (${b.size} bytes)` });
        }
      }
    });
  });
  return out;
};

type Buf = { name: string; size: number };
type DeviceOf<K> = Extract<ScenarioOut['devices'][number], { kind: K }>;

function bufferRef(name: string, at: string, bufs: Map<string, Buf>, file: string): ScenarioProblem | Buf {
  const b = bufs.get(name);
  if (b) return b;
  const near = closest(name, [...bufs.keys()]);
  return { file, path: at, message: `no buffer named "${name}"`, hint: near ? `did you mean "${near}"?` : 'declare it in memory.buffers' };
}

const isPow2 = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n;

/** Buffers exist and are not overrun; handles are mapped before use and not unmapped twice. */
function checkBusMaster(d: DeviceOf<'bus-master'>, at: string, bufs: Map<string, Buf>, file: string, devices: ScenarioOut['devices']): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  if (d.segBoundaryMask !== undefined && !isPow2(d.segBoundaryMask + 1)) {
    out.push({ file, path: `${at}.segBoundaryMask`, message: 'segment boundary mask + 1 must be a power of two', hint: 'e.g. "0xFFFF" or "0xFFFFFFFF"' });
  }
  const handles = new Map<string, { len: number; count: number; mapped: boolean; sg: boolean; unmappedAt?: string }>();
  d.ops.forEach((op, j) => {
    const p = `${at}.ops[${j}]`;
    if ('buf' in op) {
      const b = bufferRef(op.buf, `${p}.buf`, bufs, file);
      if ('message' in b) out.push(b);
      else {
        const span = op.op === 'map' ? (op.count - 1) * (op.stride ?? op.len) + op.len : op.len;
        const off = op.offset ?? 0;
        if (off + span > b.size) out.push({ file, path: `${p}.len`, message: `${off + span} bytes from offset ${off} overrun buffer "${b.name}" (${b.size} bytes)` });
      }
    }
    if (op.op === 'map') {
      if (handles.get(op.handle)?.mapped) out.push({ file, path: `${p}.handle`, message: `"${op.handle}" is still mapped`, hint: 'unmap it first or pick another name' });
      handles.set(op.handle, { len: op.len, count: op.count, mapped: true, sg: op.api === 'sg' });
      return;
    }
    if (op.op === 'map-resource') {
      out.push(...checkMapResource(op, p, devices, file));
      if (handles.get(op.handle)?.mapped) out.push({ file, path: `${p}.handle`, message: `"${op.handle}" is still mapped`, hint: 'unmap it first or pick another name' });
      handles.set(op.handle, { len: op.len, count: 1, mapped: true, sg: false });
      return;
    }
    if (!('handle' in op)) return;
    const h = handles.get(op.handle);
    if (h && !h.mapped) {
      // A device access after the unmap is a real bug to model: through a raw address.
      const hint = op.op === 'dev-read' || op.op === 'dev-write' ? 'for a DMA after the unmap use { "op": "access", "addr": IOVA, … }' : 'map it again first';
      out.push({ file, path: `${p}.handle`, message: `"${op.handle}" was unmapped at ${h.unmappedAt}`, hint });
      return;
    }
    if (!h) {
      const live = [...handles].filter(([, x]) => x.mapped).map(([k]) => k);
      const near = closest(op.handle, live);
      out.push({ file, path: `${p}.handle`, message: `"${op.handle}" is not mapped at this point`, hint: near ? `did you mean "${near}"? (mapped here: ${live.join(', ')})` : 'map it with a "map" op first' });
      return;
    }
    if (op.op === 'unmap') {
      if (h.sg && op.every !== 1) {
        out.push({ file, path: `${p}.every`, message: `"${op.handle}" was mapped with dma_map_sg: dma_unmap_sg takes every entry`, hint: 'drop "every" and "phase"' });
      }
      if (op.every === 1) {
        h.mapped = false;
        h.unmappedAt = p;
      }
      return;
    }
    if (op.index >= h.count) out.push({ file, path: `${p}.index`, message: `index ${op.index} but "${op.handle}" has ${h.count} mapping(s)` });
    if ((op.op === 'dev-write' || op.op === 'dev-read') && op.offset + op.len > h.len) {
      out.push({ file, path: `${p}.len`, message: `${op.offset + op.len} bytes from offset ${op.offset} overrun mapping "${op.handle}" (${h.len} bytes)` });
    }
  });
  return out;
}

type MapResourceOp = Extract<DeviceOf<'bus-master'>['ops'][number], { op: 'map-resource' }>;

/** The MMIO range of a map-resource: one of peer/addr; a peer with a BAR the range fits. */
function checkMapResource(op: MapResourceOp, p: string, devices: ScenarioOut['devices'], file: string): ScenarioProblem[] {
  if ((op.peer === undefined) === (op.addr === undefined)) return [{ file, path: p, message: 'give exactly one of "peer" and "addr"' }];
  if (op.peer === undefined) return [];
  const peer = devices.find((x) => x.name === op.peer);
  if (!peer) {
    const near = closest(op.peer, devices.map((x) => x.name));
    return [{ file, path: `${p}.peer`, message: `no device named "${op.peer}"`, hint: near ? `did you mean "${near}"?` : 'name a bus-master with a `bar`' }];
  }
  if (peer.kind !== 'bus-master' || !peer.bar) return [{ file, path: `${p}.peer`, message: `"${op.peer}" has no MMIO BAR`, hint: 'give that bus-master a "bar": { "addr": …, "size": … }' }];
  if (op.offset + op.len > peer.bar.size) return [{ file, path: `${p}.len`, message: `${op.offset + op.len} bytes from offset ${op.offset} overrun ${op.peer}'s BAR (${peer.bar.size} bytes)` }];
  return [];
}

/** BLK_DEF_MAX_SECTORS (2560): blk_queue_max_hw_sectors(q, -1U) still caps max_sectors here. */
const BLK_MAX_REQUEST_BYTES = 2560 * 512;

function checkVirtioBlk(d: DeviceOf<'virtio-blk'>, at: string, bufs: Map<string, Buf>, file: string): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  d.requests.forEach((r, j) => {
    const p = `${at}.requests[${j}]`;
    if (r.len % 512 !== 0) out.push({ file, path: `${p}.len`, message: `${r.len} bytes is not a whole number of 512-byte sectors` });
    if (r.len > BLK_MAX_REQUEST_BYTES) out.push({ file, path: `${p}.len`, message: `${r.len} bytes exceeds max_sectors (${BLK_MAX_REQUEST_BYTES} bytes); the block layer would split it`, hint: 'issue two requests' });
    const b = bufferRef(r.buf, `${p}.buf`, bufs, file);
    if ('message' in b) out.push(b);
    else if ((r.offset ?? 0) + r.len > b.size) out.push({ file, path: `${p}.len`, message: `${(r.offset ?? 0) + r.len} bytes overrun buffer "${b.name}" (${b.size} bytes)` });
  });
  return out;
}

/** virtio_max_dma_size calls dma_max_mapping_size: one cannot be on without the other. */
const checkKernelRows: Check = (s, file) => {
  const seg = behaviourChoice(s.kernel, s.overrides, VIRTIO_BLK_MAX_SEGMENT);
  const dms = behaviourChoice(s.kernel, s.overrides, DMA_MAX_MAPPING_SIZE);
  if (seg === 'virtio_max_dma_size' && dms === 'absent') {
    return [{ file, path: 'overrides', message: 'virtio-blk-max-segment "virtio_max_dma_size" needs dma-max-mapping-size, which is "absent" here', hint: 'override dma-max-mapping-size to "conditional" or "unconditional" too' }];
  }
  return [];
};

export const CHECKS: Check[] = [checkOverrides, checkBuffers, checkDevices, checkKernelRows, checkProcesses, checkSva, checkMtk, checkCpuMaps, checkPci, checkVtd, checkAmd, checkPciIommu, checkLimits];

export function checkScenario(s: ScenarioOut, file: string): ScenarioProblem[] {
  return CHECKS.flatMap((c) => c(s, file));
}
