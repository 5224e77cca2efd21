// A user's first contact with dmadbg is often a typo in a scenario: each mistake must come
// back as one line naming the file, the JSON path and what to do.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, parseScenarioText } from '../../src/scenario/load.ts';
import { formatProblem } from '../../src/scenario/problems.ts';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.ts';
import { BEHAVIOURS } from '../../src/sim/kernel.ts';

const base = () => ({
  version: 1,
  name: 'x',
  description: 'test scenario',
  memory: { dram: [{ base: '0x40000000', size: '256M' }], buffers: [{ name: 'buf', size: '8K' }] },
  devices: [{ kind: 'dma-engine', name: 'e0', ops: [{ op: 'write', buf: 'buf', len: 64 }] }],
});

function problems(doc: unknown): string[] {
  const r = parseScenarioText(JSON.stringify(doc), 'f.json');
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('scenario problems are one line with file, JSON path and a hint', () => {
  it('accepts the base document', () => {
    expect(problems(base())).toEqual([]);
  });

  it('reports malformed JSON with line and column', () => {
    const r = parseScenarioText('{\n  "version": 1,\n  "name": }\n', 'bad.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblem(r.problems[0])).toBe('bad.json: not valid JSON at line 3 column 11: expected a value, found "}" (fix the JSON syntax)');
  });

  it('reports a wrong type at its path', () => {
    const d = base() as Record<string, unknown>;
    d.seed = 'abc';
    expect(problems(d)).toEqual(['f.json:seed: expected number, got "abc"']);
  });

  it('suggests the closest device kind', () => {
    const d = base();
    (d.devices[0] as { kind: string }).kind = 'dma-engin';
    expect(problems(d)).toEqual(['f.json:devices[0].kind: unknown device kind "dma-engin" (did you mean "dma-engine"?)']);
  });

  it('rejects unknown fields with a did-you-mean from the right object', () => {
    const d = base() as Record<string, unknown>;
    d.seeed = 3;
    (d.devices as Record<string, unknown>[])[0].dmaMsk = 32;
    expect(problems(d).sort()).toEqual([
      'f.json:devices[0].dmaMsk: unknown field "dmaMsk" (did you mean "dmaMask"?)',
      'f.json:seeed: unknown field "seeed" (did you mean "seed"?)',
    ]);
  });

  it('explains address syntax', () => {
    const d = base();
    d.memory.dram[0].base = '0xzz';
    expect(problems(d)).toEqual(['f.json:memory.dram[0].base: expected an address, got "0xzz" (write it like "0x80000000")']);
  });

  it('checks references between sections', () => {
    const d = base();
    (d.devices[0].ops[0] as { buf: string }).buf = 'bf';
    expect(problems(d)).toEqual(['f.json:devices[0].ops[0].buf: no buffer named "bf" (did you mean "buf"?)']);
  });

  it('checks kernel-behaviour overrides', () => {
    const d = base() as Record<string, unknown>;
    d.overrides = { 'v7s-split-blok': 'corrected', 'dma-max-mapping-size': 'maybe' };
    expect(problems(d)).toEqual([
      'f.json:overrides.v7s-split-blok: unknown kernel behaviour "v7s-split-blok" (did you mean "v7s-split-blk"?)',
      'f.json:overrides.dma-max-mapping-size: "maybe" is not a choice for dma-max-mapping-size (one of: absent, conditional, unconditional)',
    ]);
  });

  it('the JSON Schema lists every behaviour row and its choices for editors', () => {
    const schema = JSON.parse(scenarioJsonSchema()) as { properties: { overrides: { properties: Record<string, { enum: string[] }>; additionalProperties: boolean }; kernel: { enum: string[] } } };
    const o = schema.properties.overrides;
    expect(Object.keys(o.properties)).toEqual(BEHAVIOURS.map((b) => b.id));
    expect(o.properties['v7s-split-blk'].enum).toEqual(['kernel', 'corrected']);
    expect(o.additionalProperties).toBe(false);
    expect(schema.properties.kernel.enum).toEqual(['v5.0-rc3', 'v5.0', 'v5.4']);
  });

  it('reports a missing file and a directory given as a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmadbg-'));
    mkdirSync(join(dir, 'sub'));
    const missing = loadScenarioFile(join(dir, 'nope.json'));
    const isDir = loadScenarioFile(join(dir, 'sub'));
    expect(!missing.ok && formatProblem(missing.problems[0])).toMatch(/nope\.json: no such file \(/);
    expect(!isDir.ok && formatProblem(isDir.problems[0])).toMatch(/sub: is a directory, not a scenario file/);
    writeFileSync(join(dir, 'empty.json'), '');
    const empty = loadScenarioFile(join(dir, 'empty.json'));
    expect(!empty.ok && formatProblem(empty.problems[0])).toMatch(/empty\.json: not valid JSON: empty file/);
  });
});
