/**
 * The one trace store: lines read back exactly as encoded across chunk boundaries (raw and
 * deflated), a replay that emits different bytes fails loudly, and a streaming consumer
 * gets newline-terminated lines and constant memory.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/sim/machine.ts';
import { SimAssertionError } from '../../../src/sim/core/assert.ts';
import { recordLine } from '../../../src/sim/trace/codec.ts';
import { deflateVault } from '../../../src/debugger/recording.ts';
import { packSnapshot, unpackSnapshot } from '../../../src/debugger/checkpoints.ts';

const machine = () => new Machine({ scenario: 't', seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0, size: 0x1000_0000 }] });

/** n records of mixed kinds and lengths: ~130 bytes each, so 30k of them fill several 1 MiB chunks. */
function emitMany(m: Machine, n: number, salt = 0): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const r =
      i % 3 === 0
        ? m.emit('dma', { dev: `dev${i % 7}`, addr: 0x4000_0000 + i * 64, len: 64, dir: 'read', result: 'ok', pa: 0x8000_0000 + i * 64 + salt, mmu: 'mmu0', hit: 'hit' })
        : i % 3 === 1
          ? m.emit('pte', { domain: 'd', level: 2, index: i & 255, old: 0, new: (i * 0x1000 + 0xc42) >>> 0, addr: 0x7f00_0000 + 4 * i, iova: i * 0x1000 })
          : m.emit('map', { api: 'iommu_map', domain: 'd', iova: i * 0x1000, pa: 2 ** 33 + i, size: 4096, prot: 'R|W', result: i % 10 ? 'ok' : 'error', reason: i % 10 ? undefined : `errno ${i}` });
    lines.push(recordLine(r));
  }
  return lines;
}

describe('TraceStore', () => {
  it.each([
    ['raw chunks', false],
    ['deflated chunks', true],
  ])('reads every line back across chunk boundaries (%s)', (_, deflate) => {
    const m = machine();
    if (deflate) m.trace.setVault(deflateVault());
    const lines = emitMany(m, 30_000);
    const held = m.trace.bytes(); // before any read fills the inflate cache
    expect(m.trace.count).toBe(30_000);
    expect(lines.reduce((a, l) => a + l.length + 1, 0)).toBeGreaterThan(3 * (1 << 20));
    for (let i = 0; i < lines.length; i += 7) expect(m.trace.line(i)).toBe(lines[i]);
    expect(m.trace.line(lines.length - 1)).toBe(lines[lines.length - 1]);
    // Three full chunks sealed: raw they stay 1 MiB each, deflated a fraction of that.
    if (deflate) expect(held).toBeLessThan(2 * (1 << 20));
    else expect(held).toBeGreaterThan(4 * (1 << 20));
  });

  it('checks a replay against the recorded bytes and fails loudly when it differs', () => {
    const m = machine();
    const packed = packSnapshot(m);
    const snap = () => unpackSnapshot(packed);
    emitMany(m, 5000);
    m.restore(snap());
    emitMany(m, 5000); // the same records again: checked, not appended
    expect(m.trace.count).toBe(5000);
    expect(m.trace.verified).toBe(5000);
    m.restore(snap());
    expect(() => emitMany(m, 10, 1)).toThrow(SimAssertionError);
    m.restore(snap());
    expect(() => emitMany(m, 1, 1)).toThrow(/^replay diverged at seq 0:\n {2}recorded \{"seq":0,.*"pa":"0x80000000".*\n {2}replayed \{"seq":0,.*"pa":"0x80000001"/);
  });

  it('drains newline-terminated lines up to a seq, then holds nothing', () => {
    const m = machine();
    const lines = emitMany(m, 20_000);
    const got: Uint8Array[] = [];
    m.trace.drain((b) => got.push(b.slice()), 15_000);
    const text = Buffer.concat(got).toString('utf8');
    expect(text).toBe(lines.slice(0, 15_000).join('\n') + '\n');
    expect(m.trace.first).toBe(20_000); // everything held went, drained or not
    expect(() => m.trace.line(0)).toThrow(/not held/);
    const next = emitMany(m, 3);
    expect(m.trace.line(20_002)).toBe(next[2]);
    const rest: Uint8Array[] = [];
    m.trace.drain((b) => rest.push(b.slice()));
    expect(Buffer.concat(rest).toString('utf8')).toBe(next.join('\n') + '\n');
  });

  it('picks up at the machine\'s seq after a stretch with keepTrace off, but a gap after held records is a bug', () => {
    const m = machine();
    m.keepTrace = false;
    emitMany(m, 50);
    m.keepTrace = true;
    const kept = emitMany(m, 2);
    expect(m.trace.first).toBe(50);
    expect(m.trace.line(51)).toBe(kept[1]);
    m.state.traceCount += 5; // a record that never reached the store
    expect(() => emitMany(m, 1)).toThrow(/trace skipped records: got seq 57, expected 52/);
  });

  it('truncates back to a seq (a sealed chunk reopens) and appends from there', () => {
    const m = machine();
    const lines = emitMany(m, 30_000);
    m.trace.truncate(100);
    expect(m.trace.count).toBe(100);
    expect(m.trace.line(99)).toBe(lines[99]);
    m.state.traceCount = 100;
    const again = emitMany(m, 2, 7);
    expect(m.trace.line(100)).toBe(again[0]);
    expect(m.trace.line(101)).toBe(again[1]);
  });
});
