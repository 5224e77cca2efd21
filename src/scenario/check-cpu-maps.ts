/**
 * Checks for the CPU views of DMA memory: a highmem kernel's DRAM must fit 32-bit physical
 * addresses, s3cmci requests must name buffers and be whole sectors the host accepts, and
 * a process's dev-mmap must name a buffer its device allocates.
 */
import { S3CMCI_MAX_REQ_SIZE, S3CMCI_MAX_SEGS } from '../sim/mmc/s3cmci.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';

type Problems = ScenarioProblem[];
const SZ_4G = 2 ** 32;
const PAGE = 4096;

function unknown(name: string, known: string[], what: string, hint: string): { message: string; hint: string } {
  const near = closest(name, known);
  return { message: `no ${what} named "${name}"`, hint: near ? `did you mean "${near}"?` : hint };
}

/** A 32-bit ARM kernel without LPAE: phys_addr_t is 32 bits. */
function checkKmemDram(s: ScenarioOut, file: string): Problems {
  if (!s.kmem && !s.devices.some((d) => d.kind === 's3cmci')) return [];
  const out: Problems = [];
  s.memory.dram.forEach((r, i) => {
    if (r.base + r.size > SZ_4G) {
      out.push({ file, path: `memory.dram[${i}]`, message: 'the kmem model is a 32-bit ARM kernel: DRAM must end at or below 4 GiB', hint: 'shrink the range, or drop the kmem section and s3cmci devices' });
    }
  });
  return out;
}

function checkS3cmci(s: ScenarioOut, file: string): Problems {
  const out: Problems = [];
  const bufs = new Map(s.memory.buffers.map((b) => [b.name, b]));
  s.devices.forEach((d, i) => {
    if (d.kind !== 's3cmci') return;
    d.requests.forEach((r, j) => {
      const at = `devices[${i}].requests[${j}]`;
      let bytes = 0;
      let pages = 0;
      r.bio.forEach((p, k) => {
        const b = bufs.get(p.buf);
        if (!b) return void out.push({ file, path: `${at}.bio[${k}].buf`, ...unknown(p.buf, [...bufs.keys()], 'buffer', 'declare it in memory.buffers') });
        if (p.offset + p.len > b.size) out.push({ file, path: `${at}.bio[${k}].len`, message: `${p.offset + p.len} bytes from offset ${p.offset} overrun buffer "${b.name}" (${b.size} bytes)` });
        bytes += p.len;
        // Allocated buffers are page aligned (buildMemory); fixed ones start where they say.
        const at0 = ((b.addr ?? 0) % PAGE) + p.offset;
        pages += Math.ceil((at0 + p.len) / PAGE) - Math.floor(at0 / PAGE);
      });
      if (bytes % 512) out.push({ file, path: `${at}.bio`, message: `${bytes} bytes is not a whole number of 512-byte sectors` });
      if (bytes > S3CMCI_MAX_REQ_SIZE) out.push({ file, path: `${at}.bio`, message: `${bytes} bytes exceeds the host's max_req_size (${S3CMCI_MAX_REQ_SIZE})`, hint: 'issue two requests' });
      if (pages > S3CMCI_MAX_SEGS) out.push({ file, path: `${at}.bio`, message: `${pages} pages exceed max_segs (${S3CMCI_MAX_SEGS}); the block layer would split the request`, hint: 'issue two requests' });
    });
  });
  return out;
}

/** dev-mmap names a device that allocates the buffer with an "alloc" op. */
function checkDevMmap(s: ScenarioOut, file: string): Problems {
  const out: Problems = [];
  const allocs = new Map<string, string[]>();
  for (const d of s.devices) {
    if (d.kind === 'mtk-engine') allocs.set(d.name, d.ops.flatMap((o) => (o.op === 'alloc' ? [o.as] : [])));
  }
  s.processes.forEach((p, i) => p.ops.forEach((o, j) => {
    if (o.op !== 'dev-mmap') return;
    const at = `processes[${i}].ops[${j}]`;
    const bufs = allocs.get(o.device);
    if (!bufs) return void out.push({ file, path: `${at}.device`, ...unknown(o.device, [...allocs.keys()], 'mtk-engine', 'dev-mmap maps a buffer an mtk-engine allocates with an "alloc" op') });
    if (!bufs.includes(o.buffer)) out.push({ file, path: `${at}.buffer`, ...unknown(o.buffer, bufs, `buffer ${o.device} allocates`, `give ${o.device} an {"op": "alloc", "as": "${o.buffer}", ...}`) });
  }));
  return out;
}

export function checkCpuMaps(s: ScenarioOut, file: string): Problems {
  return [...checkKmemDram(s, file), ...checkS3cmci(s, file), ...checkDevMmap(s, file)];
}
