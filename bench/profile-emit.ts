/** Profile helper (not a bench): emit + encode of dma records only. */
import { Machine } from '../src/sim/machine.ts';
const m = new Machine({ scenario: 'b', seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0, size: 0x1000_0000 }] });
const mode = process.argv[2] ?? 'keep';
m.keepTrace = mode !== 'nokeep';
const N = 2_000_000;
for (let rep = 0; rep < 8; rep++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    m.emit('dma', { dev: 'e0', addr: 0x40000000 + ((i & 15) << 8), len: 64, dir: 'read', result: 'ok', pa: 0x80000000 + ((i & 15) << 8), pasid: undefined, atc: undefined, reason: undefined, mmu: 'mmu0', hit: 'hit', fault: undefined, protect: undefined, m4uPa: undefined });
    if ((i & 1023) === 1023) { m.stepRecords.length = 0; m.trace.discard(); }
  }
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(mode, `${(N / dt / 1e6).toFixed(2)} M records/s, ${(dt / N * 1e9).toFixed(0)} ns`);
}
