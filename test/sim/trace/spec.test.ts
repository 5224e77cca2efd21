/**
 * The record specs are the one definition of the trace: these check that what is derived
 * from them agrees with them and with the bytes users already have. docs/trace.md names
 * exactly the kinds and fields of the union; every golden line matches the JSON Schema,
 * decodes to a typed record and encodes back to the same bytes; the byte encoder writes
 * every format exactly as JSON.stringify and the hex helpers do; and `emit` rejects at
 * compile time a record the spec does not describe.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRACE_KINDS, type TraceRecord } from '../../../src/sim/trace-kinds.ts';
import { traceDoc, traceJsonSchema } from '../../../src/sim/trace-doc.ts';
import { decodeLine, encoderOf, fieldText, recordLine } from '../../../src/sim/trace/codec.ts';
import { hex32Text, hex64Text, hexText } from '../../../src/sim/trace/field.ts';
import { ByteWriter, StringCache, putFnv32, putHex, putHex32, putHex64, putInt, putStr } from '../../../src/sim/trace/writer.ts';
import { Machine } from '../../../src/sim/machine.ts';
import { nextU32, prngFromSeed } from '../../../src/sim/core/prng.ts';
import { ROOT } from '../../helpers/scenario.ts';

const GOLDEN = join(ROOT, 'test', 'golden');
const goldenLines = (): string[] =>
  readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(GOLDEN, f), 'utf8').trimEnd().split('\n'));

describe('docs/trace.md', () => {
  it('documents every kind and field of the union, and nothing else', () => {
    const text = readFileSync(join(ROOT, 'docs', 'trace.md'), 'utf8');
    const documented = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const line of text.split('\n')) {
      const h = /^## `([^`]+)`$/.exec(line);
      if (h) documented.set(h[1], (current = []));
      const row = /^\| `([^`]+)` \|/.exec(line);
      if (row && current) current.push(row[1]);
    }
    const union = new Map(TRACE_KINDS.map((k) => [k.kind as string, Object.keys(k.fields)]));
    expect(documented).toEqual(union);
    expect(text).toBe(traceDoc());
  });
});

// ---- a JSON Schema check for the subset traceJsonSchema() uses ---------------------------

type S = Record<string, unknown>;
function valid(v: unknown, s: S): boolean {
  if (s.anyOf) return (s.anyOf as S[]).some((a) => valid(v, a));
  if (s.oneOf && (s.oneOf as S[]).filter((a) => valid(v, a)).length !== 1) return false;
  if ('const' in s && v !== s.const) return false;
  if (s.enum && !(s.enum as unknown[]).includes(v)) return false;
  switch (s.type) {
    case 'string':
      if (typeof v !== 'string' || (s.pattern && !new RegExp(s.pattern as string).test(v))) return false;
      break;
    case 'integer':
      if (!Number.isInteger(v) || (s.minimum !== undefined && (v as number) < (s.minimum as number))) return false;
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return false;
      break;
    case 'null':
      if (v !== null) return false;
      break;
    case 'object': {
      if (typeof v !== 'object' || v === null) return false;
      const o = v as Record<string, unknown>;
      for (const r of (s.required as string[]) ?? []) if (!(r in o)) return false;
      const props = (s.properties as Record<string, S>) ?? {};
      for (const [k, x] of Object.entries(o)) {
        if (props[k]) {
          if (!valid(x, props[k])) return false;
        } else if (s.additionalProperties === false) return false;
      }
    }
  }
  return true;
}

describe('the trace JSON Schema', () => {
  const schema = JSON.parse(traceJsonSchema()) as S;

  it('is the generated docs/trace.schema.json', () => {
    expect(readFileSync(join(ROOT, 'docs', 'trace.schema.json'), 'utf8')).toBe(traceJsonSchema());
  });

  it('accepts every golden line and rejects a misspelled field, a number for an address, a missing field', () => {
    const lines = goldenLines();
    expect(lines.length).toBeGreaterThan(1000);
    for (const l of lines) expect(valid(JSON.parse(l), schema), l).toBe(true);
    const ok = { seq: 0, t: 0, kind: 'dma', dev: 'd', addr: '0x1000', len: 64, dir: 'read', result: 'ok' };
    expect(valid(ok, schema)).toBe(true);
    expect(valid({ ...ok, adr: '0x1000' }, schema)).toBe(false);
    expect(valid({ ...ok, addr: 4096 }, schema)).toBe(false);
    const { len: _len, ...noLen } = ok;
    expect(valid(noLen, schema)).toBe(false);
  });
});

describe('encoder and decoder', () => {
  it('every golden line decodes to its typed record and encodes back to the same bytes', () => {
    for (const l of goldenLines()) {
      const r = decodeLine(l);
      expect(recordLine(r)).toBe(l);
    }
  });

  it('numbers are numbers in the decoded record; text is the line\'s text', () => {
    const line = '{"seq":3,"t":9,"kind":"pte","domain":"mtk-dom0","level":2,"index":5,"old":"0x00000000","new":"0x40005c7f","addr":"0x7f001014","iova":"0x105000"}';
    const r = decodeLine(line);
    expect(r).toMatchObject({ kind: 'pte', old: 0, new: 0x40005c7f, addr: 0x7f001014, iova: 0x105000 });
    expect(fieldText(r, 'new')).toBe('0x40005c7f');
    expect(fieldText(r, 'iova')).toBe('0x105000');
  });

  it('composite fields come back as their typed parts', () => {
    const cv = decodeLine(
      '{"seq":1,"t":2,"kind":"coherency-violation","dev":"gpu","pasid":1,"va":"0x7000","write":true,"stale":"pa=0x123000 rw","current":"none (pte 0x2400)","changedBy":-1,"filledBy":0}',
    );
    expect(cv).toMatchObject({ stale: { pa: 0x123000, write: true }, current: { present: false, pte: 0x2400 } });
    const inval = decodeLine(
      '{"seq":1,"t":2,"kind":"atc-inval","dev":"a","pasid":1,"start":"all","end":"all","by":"release","iommu":"intel-svm","iotlbCmd":"QI_EIOTLB(0x6) qw0=0x0000000100010016 qw1=0x7ffffffffffff000","atcCmd":"INVALIDATE_IOTLB_PAGES 0x10000100 0x40010100 0x00000004 0x00007f00","dropped":0}',
    );
    expect(inval).toMatchObject({
      start: 'all',
      iotlbCmd: { name: 'QI_EIOTLB(0x6)', qw: [0x0000000100010016n, 0x7ffffffffffff000n] },
      atcCmd: { name: 'INVALIDATE_IOTLB_PAGES', dw: [0x10000100, 0x40010100, 0x4, 0x7f00] },
    });
  });
});

describe('the byte writer', () => {
  type Put = (b: Uint8Array, d: DataView, p: number) => number;
  const text = (put: Put, room = 64): string => {
    const w = new ByteWriter(4); // tiny: room() makes it grow
    w.pos = 1; // an odd offset: the two-byte stores need no alignment
    w.room(room);
    const end = put(w.buf, w.dv, w.pos);
    expect(end - w.pos).toBeLessThanOrEqual(room);
    return new TextDecoder().decode(w.buf.subarray(w.pos, end));
  };
  const p = prngFromSeed(0x7ace);
  const u32 = () => nextU32(p);
  const safe = () => (u32() % 0x20_0000) * 0x1_0000_0000 + u32(); // 0 .. 2^53

  it('writes integers as JSON does', () => {
    const xs = [0, -0, 1, 9, 10, -1, -2147483648, 2147483647, 2147483648, 4294967295, 1e15, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.5, NaN, Infinity];
    // Past 2^31 the writer prints two halves split at 10^8: the digits around the cut.
    xs.push(99_999_999, 100_000_000, 100_000_001, 2_147_483_648_00, 10_000_000_000, 12_300_000_045, 2 ** 53 - 2);
    for (let i = 0; i < 2000; i++) xs.push(safe(), -safe(), u32(), u32() >> (u32() & 31));
    for (const x of xs) expect(text((b, d, p) => putInt(b, d, p, x), 26), String(x)).toBe(JSON.stringify(x));
  });

  it('writes addresses, words and checksums as the hex helpers print them', () => {
    for (let i = 0; i < 2000; i++) {
      const a = i < 1000 ? u32() >>> (u32() & 31) : safe();
      expect(text((b, d, p) => putHex(b, d, p, a), 26)).toBe(`"${hexText(a)}"`);
      const word = u32();
      expect(text((b, d, p) => putHex32(b, d, p, word), 12)).toBe(`"${hex32Text(word)}"`);
      expect(text((b, d, p) => putFnv32(b, d, p, word), 10)).toBe(`"${word.toString(16).padStart(8, '0')}"`);
      const q = (BigInt(u32()) << 32n) | BigInt(u32());
      expect(text((b, d, p) => putHex64(b, d, p, q), 20)).toBe(`"${hex64Text(q)}"`);
      expect(hex64Text(q)).toBe('0x' + q.toString(16).padStart(16, '0'));
    }
    expect(text((b, d, p) => putHex(b, d, p, 0xffff_ffff_ffff_ffffn), 26)).toBe('"0xffffffffffffffff"');
    expect(text((b, d, p) => putHex(b, d, p, 2 ** 64), 26)).toBe(`"0x${(2 ** 64).toString(16)}"`);
    expect(hexText(0x1_2345_6789)).toBe('0x123456789');
    expect(hexText(0)).toBe('0x0');
    // What the old hex() printed for values no model should emit, kept byte for byte.
    for (const odd of [1.5, -1, 2 ** 60 + 0.5, -0x1_0000_0001]) {
      expect(hexText(odd)).toBe('0x' + odd.toString(16));
      expect(text((b, d, p) => putHex(b, d, p, odd), 26)).toBe(`"0x${odd.toString(16)}"`);
    }
  });

  it('writes strings as JSON.stringify does, escapes and non-ASCII included', () => {
    for (const s of ['', 'mtk-dom0', 'a"b', 'back\\slash', 'tab\there', 'nl\n', '\u0001', 'délai', '日本', '\ud83d\ude00', '\ud800 lone', '\u007f']) {
      expect(text((b, _d, p) => putStr(b, p, s), 6 * s.length + 2), s).toBe(JSON.stringify(s));
    }
  });
});

describe('the encoders\' string caches', () => {
  type Put = (b: Uint8Array, d: DataView, p: number) => number;
  const text = (put: Put, room: number): string => {
    const w = new ByteWriter(1);
    w.pos = 3; // odd: the word stores need no alignment
    w.room(room); // exactly room bytes: a store past it throws
    return new TextDecoder().decode(w.buf.subarray(w.pos, put(w.buf, w.dv, w.pos)));
  };
  const p = prngFromSeed(0x5eed);
  const u32 = () => nextU32(p);

  it('a string cache writes what putStr writes, through repeats, evictions and escapes, within putStr\'s room + 3', () => {
    const pool = ['blit0', 'dma32', 'dma_map_single', '', 'a"b', 'tab\there', 'délai', 'x'.repeat(40), 'gpu', 'mtk-dom0', '日本'];
    const c = new StringCache();
    for (let i = 0; i < 500; i++) {
      // Equal text in a new string object must hit too: built at run time, not a literal.
      const s = pool[u32() % pool.length].split('').join('');
      expect(text((b, d, q) => c.put(b, d, q, s), 6 * s.length + 2 + 3), s).toBe(JSON.stringify(s));
    }
  });

  it('a record encodes as JSON.stringify of its wire form, bigints and odd numbers included', () => {
    const w = new ByteWriter(16);
    const line = (r: Record<string, unknown>): string => {
      w.pos = 0;
      encoderOf(r.kind as string)(w, r as never);
      return new TextDecoder().decode(w.buf.subarray(0, w.pos));
    };
    const devs = ['blit0', 'dma32', 'nic', 'gpu', 'disk', 'a\u0001b'];
    for (let i = 0; i < 300; i++) {
      const dev = devs[i % devs.length];
      const len = [64, 4096, -1, 2 ** 31, 2 ** 40 + 3, 0.5][i % 6];
      const addr = [0x4000_0000, 0, 2 ** 33 + 0x1000, 0xffff_ffff][i % 4];
      const dma = { seq: i, t: 2 ** 31 + i, kind: 'dma', dev, addr, len, dir: 'write', result: 'ok', pa: addr };
      expect(line(dma)).toBe(JSON.stringify({ ...dma, addr: hexText(addr), pa: hexText(addr) }));
      const start = i % 2 ? 0xffff_ffff_ffff_f000n : 0x7000_0000;
      const mmap = { seq: i, t: i, kind: 'dev-mmap', mm: 'proc', dev, buffer: 'buf', start, end: 2 ** 53 + 2 * i, pgoff: i, pages: 1, via: 'dma_mmap_attrs', func: 'vm_map_pages', result: '0', inserted: 1 };
      expect(line(mmap)).toBe(JSON.stringify({ ...mmap, start: hexText(start), end: hexText(mmap.end) }));
    }
  });
});

describe('emit is typed by the spec', () => {
  it('rejects misspelled, missing and mistyped fields at compile time', () => {
    const m = new Machine({ scenario: 't', seed: 1, kernel: 'v5.4', overrides: {}, dram: [{ base: 0, size: 0x1000_0000 }] });
    const r = m.emit('dma', { dev: 'd', addr: 0x1000, len: 64, dir: 'read', result: 'ok' });
    expect(recordLine(r)).toBe('{"seq":0,"t":0,"kind":"dma","dev":"d","addr":"0x1000","len":64,"dir":"read","result":"ok"}');
    const bad = () => {
      // @ts-expect-error `adr` is not a field of dma
      m.emit('dma', { dev: 'd', adr: 0x1000, len: 64, dir: 'read', result: 'ok' });
      // @ts-expect-error `result` is required
      m.emit('dma', { dev: 'd', addr: 0x1000, len: 64, dir: 'read' });
      // @ts-expect-error an address is a number, not its text
      m.emit('dma', { dev: 'd', addr: '0x1000', len: 64, dir: 'read', result: 'ok' });
      // @ts-expect-error `dir` is "read" or "write"
      m.emit('dma', { dev: 'd', addr: 0x1000, len: 64, dir: 'sideways', result: 'ok' });
      // @ts-expect-error no such kind
      m.emit('dmaa', {});
    };
    expect(typeof bad).toBe('function'); // compiled, never run
    const rec: TraceRecord = r;
    if (rec.kind === 'dma') expect(rec.addr + rec.len).toBe(0x1040); // narrowed: numbers
  });
});
