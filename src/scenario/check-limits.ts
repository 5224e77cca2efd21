/**
 * Checks against the limits table (src/sim/limits.ts): what a scenario asks of the
 * simulator must fit before anything is built, so a run never meets an assertion the
 * validator could have foreseen. Each problem names the JSON path of the value to change:
 * - every transfer (device op, mapping, CPU fill, mm read/write) at most transferBytes;
 * - memory the run backs with real pages (fills, populated VMAs, writes) at most backedBytes;
 * - DRAM ranges inside the 2^48 physical space and not overlapping;
 * - every device's workload, and every scheduled time, ending inside virtual time;
 * - jitter a 32-bit random draw can give, address ranges of mm ops that walk pages.
 */
import { LIMITS } from '../sim/limits.ts';
import { PA_LIMIT } from '../sim/mem/phys.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';

type Problems = ScenarioProblem[];
type DeviceOf<K> = Extract<ScenarioOut['devices'][number], { kind: K }>;

const MiB = 2 ** 20;
const mib = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(n % MiB ? 1 : 0)} MiB` : `${n} bytes`);
const LIMITS_HINT = '`dmadbg info limits` lists every limit';

/** Jitter is drawn as a 32-bit random number (intBetween over [0, jitter]). */
export const JITTER_MAX_NS = 2 ** 32 - 1;
/** Slack kept below the virtual-time limit for what follows a workload (IRQ latency, completions). */
const TIME_SLACK_NS = 2 ** 40;
/** Virtual-time budget for one workload: ends here at the latest. */
export const WORKLOAD_END_NS = LIMITS.virtualTimeNs - TIME_SLACK_NS;
/** User virtual addresses: x86-64 and arm64 with 48-bit VA give processes the low 2^47 bytes (TASK_SIZE). */
export const TASK_SIZE = 2 ** 47;
/** Address range one mm operation may cover (mmap, munmap, mprotect, age, ...): they walk it by PMD/page. */
export const MM_SPAN_MAX = 64 * 2 ** 30;

interface Ctx {
  readonly file: string;
  readonly out: Problems;
  /** Backed bytes and where they come from (the largest one is named if the total is too much). */
  backed: number;
  biggest: { path: string; bytes: number } | undefined;
  /** SWIOTLB pool bytes: the most a mapping can copy (bounce) into backed pages. */
  readonly pool: number;
}

function problem(c: Ctx, path: string, message: string, hint?: string): void {
  c.out.push({ file: c.file, path, message, ...(hint ? { hint } : {}) });
}

function transfer(c: Ctx, path: string, len: number, what = 'a transfer'): boolean {
  if (what === 'a mapping') {
    // A mapping writes page-table entries; only a bounce through SWIOTLB copies data, and
    // that is bounded by the pool.
    if (len <= LIMITS.mapBytes) return true;
    problem(c, path, `${mib(len)} is more than a mapping may cover (${mib(LIMITS.mapBytes)})`, `split it into smaller ops; ${LIMITS_HINT}`);
    return false;
  }
  if (len <= LIMITS.transferBytes) return true;
  problem(c, path, `${mib(len)} is more than ${what} may move (${mib(LIMITS.transferBytes)})`, `split it into smaller ops; ${LIMITS_HINT}`);
  return false;
}

function back(c: Ctx, path: string, bytes: number): void {
  c.backed += bytes;
  if (!c.biggest || bytes > c.biggest.bytes) c.biggest = { path, bytes };
}

function endsInTime(c: Ctx, path: string, endNs: number, what: string, hint: string): void {
  if (endNs <= WORKLOAD_END_NS) return;
  problem(c, path, `${what} runs until t=${endNs.toExponential(2)} ns, past the virtual time limit (${WORKLOAD_END_NS.toExponential(2)} ns, about ${Math.floor(WORKLOAD_END_NS / 3.6e12)} h)`, hint);
}

function jitter(c: Ctx, path: string, ns: number): void {
  if (ns > JITTER_MAX_NS) problem(c, path, `jitter ${ns} ns is above ${JITTER_MAX_NS} ns (a 32-bit random draw)`, 'use a jitter below 4.29 s');
}

const delays = (ops: readonly { op: string; ns?: number }[]) => ops.reduce((t, o) => t + (o.op === 'delay' ? (o.ns ?? 0) : 0), 0);

function checkDram(s: ScenarioOut, c: Ctx): void {
  const ranges = s.memory.dram.map((r, i) => ({ ...r, i })).sort((a, b) => a.base - b.base);
  for (const r of ranges) {
    if (r.base + r.size > PA_LIMIT) problem(c, `memory.dram[${r.i}]`, `DRAM range ends at 0x${(r.base + r.size).toString(16)}, beyond the 2^48-byte physical address space`, 'lower base or size');
  }
  // Each range against the furthest-reaching one before it (a big range can hold several).
  const span = (r: { base: number; size: number }) => `0x${r.base.toString(16)}..0x${(r.base + r.size).toString(16)}`;
  let reach: (typeof ranges)[number] | undefined;
  for (const b of ranges) {
    if (reach && reach.base + reach.size > b.base) {
      const [first, second] = reach.i < b.i ? [reach, b] : [b, reach];
      problem(c, `memory.dram[${second.i}]`, `DRAM range ${span(second)} overlaps memory.dram[${first.i}] (${span(first)})`, 'DRAM ranges must be disjoint');
    }
    if (!reach || b.base + b.size > reach.base + reach.size) reach = b;
  }
  s.memory.buffers.forEach((b, i) => {
    const at = `memory.buffers[${i}]`;
    if (b.fill !== undefined) back(c, `${at}.fill`, b.size);
  });
}

function checkEngine(d: DeviceOf<'dma-engine'>, at: string, c: Ctx): void {
  jitter(c, `${at}.jitter`, d.jitter);
  d.ops.forEach((op, j) => {
    const p = `${at}.ops[${j}]`;
    if (op.op === 'delay') return;
    if (!transfer(c, `${p}.len`, op.len)) return;
    if ((op.op === 'read' || op.op === 'write') && op.addr !== undefined && op.addr + op.len > PA_LIMIT) {
      problem(c, `${p}.addr`, `0x${op.addr.toString(16)} + ${op.len} bytes reaches beyond the 2^48-byte physical address space`);
    }
    if (op.op === 'write' || op.op === 'copy') back(c, `${p}.len`, op.len);
  });
  endsInTime(c, at, d.start + d.repeat * (d.period + d.jitter + delays(d.ops)), `device "${d.name}"`, 'lower start, repeat, period, jitter or the delays');
}

function checkSvaDevice(d: DeviceOf<'sva-device'>, at: string, c: Ctx): void {
  jitter(c, `${at}.jitter`, d.jitter);
  d.ops.forEach((op, j) => {
    const p = `${at}.ops[${j}]`;
    if (op.op === 'delay') return;
    if (!transfer(c, `${p}.len`, op.len)) return;
    if (op.va + op.len > TASK_SIZE) problem(c, `${p}.va`, `0x${op.va.toString(16)} + ${op.len} bytes is beyond the user address space (2^47 bytes)`);
    if (op.op === 'write') back(c, `${p}.len`, op.len);
  });
  endsInTime(c, at, d.start + d.repeat * (d.period + d.jitter + delays(d.ops)), `device "${d.name}"`, 'lower start, repeat, period, jitter or the delays');
}

function checkBusMaster(d: DeviceOf<'bus-master'>, at: string, c: Ctx): void {
  d.ops.forEach((op, j) => {
    const p = `${at}.ops[${j}]`;
    if (op.op === 'map') {
      // Backed only by what a bounce copies: at most the SWIOTLB pool.
      if (transfer(c, `${p}.len`, op.len, 'a mapping')) back(c, `${p}.len`, Math.min(op.len * op.count, c.pool));
    } else if (op.op === 'cpu-fill' || op.op === 'dev-write' || (op.op === 'access' && op.dir === 'write')) {
      if (transfer(c, `${p}.len`, op.len)) back(c, `${p}.len`, op.len);
    } else if (op.op === 'cpu-read' || op.op === 'dev-read' || op.op === 'access') transfer(c, `${p}.len`, op.len);
    else if (op.op === 'map-resource') transfer(c, `${p}.len`, op.len, 'a mapping');
  });
  endsInTime(c, at, d.start + delays(d.ops), `device "${d.name}"`, 'lower start or the delays');
}

function checkPciEndpoint(d: DeviceOf<'pci-endpoint'>, at: string, c: Ctx): void {
  jitter(c, `${at}.jitter`, d.jitter);
  jitter(c, `${at}.commitJitter`, d.commitJitter);
  let opJitter = 0;
  d.ops.forEach((op, j) => {
    const p = `${at}.ops[${j}]`;
    if (op.op === 'delay') {
      jitter(c, `${p}.jitter`, op.jitter);
      opJitter += op.jitter;
    }
    if (!('len' in op)) return;
    // HMM ops keep one pfn per page of the range, transfers move the bytes: both bounded.
    if (!transfer(c, `${p}.len`, op.len, op.op === 'dma-map' ? 'a mapping' : 'a transfer')) return;
    if ('va' in op) span(c, `${p}.va`, op.va, op.len, `${op.op} at 0x${op.va.toString(16)}`);
    if (op.op === 'write' || op.op === 'odirect-read' || (op.op === 'hmm-access' && op.dir === 'write')) back(c, `${p}.len`, op.len);
  });
  const perRound = d.period + d.jitter + delays(d.ops) + opJitter + d.faultLatency + d.commitDelay + d.commitJitter;
  endsInTime(c, at, d.start + d.repeat * perRound, `device "${d.name}"`, 'lower start, repeat, period, jitter, the delays or the fault latencies');
}

function checkVirtioBlk(d: DeviceOf<'virtio-blk'>, at: string, c: Ctx): void {
  d.requests.forEach((r, j) => {
    const p = `${at}.requests[${j}]`;
    // The sector goes into virtio_blk_outhdr's __virtio64; ours is a double: keep it exact.
    if ((r.sector + r.len / 512) * 512 > Number.MAX_SAFE_INTEGER) problem(c, `${p}.sector`, `sector ${r.sector} is beyond the 2^53-byte disk this model can address`);
    if (r.op === 'read') back(c, `${p}.len`, r.len);
  });
  if (d.latency > TIME_SLACK_NS) problem(c, `${at}.latency`, `latency ${d.latency} ns is above ${TIME_SLACK_NS} ns (about 18 min)`);
  if (d.gap > TIME_SLACK_NS) problem(c, `${at}.gap`, `gap ${d.gap} ns is above ${TIME_SLACK_NS} ns (about 18 min)`);
  endsInTime(c, at, d.start + d.requests.length * (d.latency + d.gap), `device "${d.name}"`, 'lower start, latency or gap');
}

function checkMtkEngine(d: DeviceOf<'mtk-engine'>, at: string, c: Ctx): void {
  d.ops.forEach((op, j) => {
    const p = `${at}.ops[${j}]`;
    if (!('len' in op)) return;
    if (!transfer(c, `${p}.len`, op.len, op.op === 'map' || op.op === 'remap' ? 'a mapping' : 'a transfer')) return;
    // The M4U translates 32-bit IOVAs (one v7s table covers 4 GiB).
    if (op.op === 'access' && op.iova + op.len > 2 ** 32) problem(c, `${at}.ops[${j}].iova`, `0x${op.iova.toString(16)} + ${op.len} bytes is beyond the M4U's 32-bit IOVA space`);
    if (op.op === 'write' || (op.op === 'access' && op.dir === 'write')) back(c, `${p}.len`, op.len);
  });
  endsInTime(c, at, d.start + d.repeat * (d.period + delays(d.ops)), `device "${d.name}"`, 'lower start, repeat, period or the delays');
}

function checkDevices(s: ScenarioOut, c: Ctx): void {
  s.devices.forEach((d, i) => {
    const at = `devices[${i}]`;
    switch (d.kind) {
      case 'dma-engine':
        return checkEngine(d, at, c);
      case 'sva-device':
        return checkSvaDevice(d, at, c);
      case 'bus-master':
        return checkBusMaster(d, at, c);
      case 'virtio-blk':
        return checkVirtioBlk(d, at, c);
      case 'mtk-engine':
        return checkMtkEngine(d, at, c);
      case 'pci-endpoint':
        return checkPciEndpoint(d, at, c);
      case 'v7s-selftest':
        // A few hundred steps, one per period.
        return endsInTime(c, at, d.start + 10_000 * d.period, `device "${d.name}"`, 'lower start or period');
      case 's3cmci': {
        // One FIFO interrupt per 512-byte block (requests are at most max_req_size, check-cpu-maps).
        const blocks = d.requests.reduce((t, r) => t + Math.ceil(r.bio.reduce((b, p) => b + p.len, 0) / 512), 0);
        for (const k of ['block', 'gap'] as const) if (d[k] > TIME_SLACK_NS) problem(c, `${at}.${k}`, `${k} ${d[k]} ns is above ${TIME_SLACK_NS} ns (about 18 min)`);
        return endsInTime(c, at, d.start + blocks * d.block + d.requests.length * d.gap, `device "${d.name}"`, 'lower start, block or gap');
      }
    }
  });
}

function span(c: Ctx, path: string, start: number, size: number, what: string): boolean {
  if (start + size > TASK_SIZE) {
    problem(c, path, `${what} ends at 0x${(start + size).toString(16)}, beyond the user address space (2^47 bytes)`);
    return false;
  }
  if (size > MM_SPAN_MAX) {
    problem(c, `${path}.size`, `${what} covers ${mib(size)}; an mm operation may cover at most ${mib(MM_SPAN_MAX)}`, LIMITS_HINT);
    return false;
  }
  return true;
}

function checkProcesses(s: ScenarioOut, c: Ctx): void {
  const dram = s.memory.dram.reduce((t, r) => t + r.size, 0);
  let populated = 0;
  s.processes.forEach((p, i) => {
    const at = `processes[${i}]`;
    const vma = (path: string, v: { start: number; size: number; populate: boolean; fill?: number; kind: string; pgoff: number }) => {
      if (!span(c, path, v.start, v.size, 'the mapping')) return;
      if (v.kind === 'device' && (v.pgoff * 4096 + v.size) > PA_LIMIT) problem(c, `${path}.pgoff`, 'the device mapping reaches beyond the 2^48-byte physical address space');
      if (v.populate || v.fill !== undefined) {
        back(c, `${path}.size`, v.size);
        populated += v.size;
      }
    };
    p.vmas.forEach((v, j) => vma(`${at}.vmas[${j}]`, v));
    p.ops.forEach((o, j) => {
      const op = `${at}.ops[${j}]`;
      if (o.at > WORKLOAD_END_NS) problem(c, `${op}.at`, `t=${o.at} ns is past the virtual time limit (${WORKLOAD_END_NS.toExponential(2)} ns)`);
      switch (o.op) {
        case 'mmap':
          return vma(op, o);
        case 'munmap':
        case 'mprotect':
        case 'age':
        case 'reclaim':
        case 'page-idle':
        case 'test-young':
          return void span(c, op, o.start, o.size, `${o.op}`);
        case 'mremap':
          if (span(c, op, o.start, o.oldSize, 'the old range')) span(c, op, o.newStart ?? o.start, o.newSize, 'the new range');
          return;
        case 'write':
        case 'read':
          if (o.va + o.len > TASK_SIZE) problem(c, `${op}.va`, `0x${o.va.toString(16)} + ${o.len} bytes is beyond the user address space (2^47 bytes)`);
          else if (transfer(c, `${op}.len`, o.len) && o.op === 'write') back(c, `${op}.len`, o.len);
          return;
        case 'ksm':
          if (o.va >= TASK_SIZE) problem(c, `${op}.va`, 'beyond the user address space (2^47 bytes)');
          if (o.with.va >= TASK_SIZE) problem(c, `${op}.with.va`, 'beyond the user address space (2^47 bytes)');
          return;
      }
    });
  });
  if (populated > dram) problem(c, 'processes', `populated and filled mappings need ${mib(populated)}, more than the ${mib(dram)} of DRAM`, 'add DRAM or populate less');
}

function checkTimes(s: ScenarioOut, c: Ctx): void {
  (s.sva?.bindings ?? []).forEach((b, i) => {
    if (b.at > WORKLOAD_END_NS) problem(c, `sva.bindings[${i}].at`, `t=${b.at} ns is past the virtual time limit (${WORKLOAD_END_NS.toExponential(2)} ns)`);
  });
  for (const [path, v] of [['mtk.irqLatency', s.mtk?.irqLatency], ['vtd.irqLatency', s.vtd?.irqLatency], ['amd.irqLatency', s.amd?.irqLatency]] as const) {
    if (v !== undefined && v > TIME_SLACK_NS) problem(c, path, `${v} ns is above ${TIME_SLACK_NS} ns (about 18 min)`);
  }
  // The AMD section's kernel-side ops are scheduled at build, each at its own time.
  (s.amd?.ops ?? []).forEach((o, i) => {
    const p = `amd.ops[${i}]`;
    if (o.at > WORKLOAD_END_NS) problem(c, `${p}.at`, `t=${o.at} ns is past the virtual time limit (${WORKLOAD_END_NS.toExponential(2)} ns)`);
    if (o.op === 'dev-read') transfer(c, `${p}.len`, o.len);
    else if (o.op === 'dev-write') {
      if (transfer(c, `${p}.len`, o.len)) back(c, `${p}.len`, o.len);
    } else if (o.op === 'cpu-fill') {
      // Without len: to the end of the buffer.
      const len = o.len ?? Math.max(0, (s.memory.buffers.find((b) => b.name === o.buf)?.size ?? 0) - o.offset);
      if (transfer(c, o.len !== undefined ? `${p}.len` : p, len)) back(c, `${p}.len`, len);
    } else if (o.op === 'iommu-map') transfer(c, `${p}.size`, o.size, 'a mapping');
  });
  if (s.limits.maxEvents > LIMITS.events) problem(c, 'limits.maxEvents', `${s.limits.maxEvents} is more than the ${LIMITS.events} events a run may take`, LIMITS_HINT);
  // io_tlb_nslabs slabs of 2 KiB (IO_TLB_SHIFT 11), whichever form the section was written in.
  const pool = s.swiotlb ? s.swiotlb.nslabs * 2048 : 0;
  if (pool > LIMITS.swiotlbBytes) problem(c, 'swiotlb', `a ${mib(pool)} pool is more than the ${mib(LIMITS.swiotlbBytes)} a scenario may have`, LIMITS_HINT);
}

/**
 * DRAM an IOMMU's own tables need at boot and as mappings grow (VT-d root and context tables,
 * invalidation queue, page-table pages; AMD device table, command buffer, event log, I/O page
 * tables): the drivers' allocations are not modelled as failing, so a scenario keeps this
 * much DRAM beside its buffers and bounce pool.
 */
export const IOMMU_TABLES_BYTES = 1 << 20;

function checkIommuRoom(s: ScenarioOut, c: Ctx): void {
  const which = s.vtd ? 'vtd' : s.amd ? 'amd' : undefined;
  if (!which) return;
  const dram = s.memory.dram.reduce((t, r) => t + r.size, 0);
  const used = s.memory.buffers.reduce((t, b) => t + Math.ceil(b.size / 4096) * 4096, 0) + c.pool;
  if (dram - used < IOMMU_TABLES_BYTES) {
    problem(c, 'memory.dram', `${mib(Math.max(0, dram - used))} of DRAM is left beside the buffers${c.pool ? ' and the bounce pool' : ''}; the ${which === 'vtd' ? 'VT-d' : 'AMD'} IOMMU needs ${mib(IOMMU_TABLES_BYTES)} for its tables`, 'add DRAM or make buffers smaller');
  }
}

export function checkLimits(s: ScenarioOut, file: string): ScenarioProblem[] {
  const c: Ctx = { file, out: [], backed: 0, biggest: undefined, pool: s.swiotlb ? s.swiotlb.nslabs * 2048 : 0 };
  checkDram(s, c);
  checkDevices(s, c);
  checkProcesses(s, c);
  checkTimes(s, c);
  checkIommuRoom(s, c);
  if (c.backed > LIMITS.backedBytes && c.biggest) {
    problem(c, c.biggest.path, `the scenario would back ${mib(c.backed)} of simulated memory with real pages (fills, populated mappings, writes), more than ${mib(LIMITS.backedBytes)}; the largest part is here (${mib(c.biggest.bytes)})`, `shrink it; memory that is only mapped or read costs nothing. ${LIMITS_HINT}`);
  }
  return c.out;
}
