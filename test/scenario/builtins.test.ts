// What ships must be true: every built-in scenario validates and runs, the editor schema
// and docs/trace.md match the code, and every record any scenario emits is documented.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listScenarios } from '../../src/store/catalog.ts';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.ts';
import { traceDoc } from '../../src/sim/trace-doc.ts';
import { TRACE_KINDS } from '../../src/sim/trace-kinds.ts';
import { ROOT, SCENARIOS, runRecords } from '../helpers/scenario.ts';

describe('built-in scenarios', () => {
  const all = listScenarios(SCENARIOS);

  it('exist, have descriptions and point editors at schema.json', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const e of all) {
      expect(e.description.length, e.name).toBeGreaterThan(10);
      expect(JSON.parse(readFileSync(e.file, 'utf8')).$schema, e.name).toBe('./schema.json');
      expect(e.file.endsWith(`${e.name}.json`), `${e.name}: file name matches name`).toBe(true);
    }
  });

  it('emit only documented kinds and fields', () => {
    const docs = new Map<string, Set<string>>(TRACE_KINDS.map((k) => [k.kind, new Set(Object.keys(k.fields))]));
    const missing = new Set<string>();
    for (const e of all) {
      for (const r of runRecords(e.file, { maxEvents: 20_000 })) {
        const fields = docs.get(r.kind as string);
        if (!fields) {
          missing.add(`kind ${String(r.kind)} (${e.name})`);
          continue;
        }
        for (const f of Object.keys(r)) if (!['seq', 't', 'kind'].includes(f) && !fields.has(f)) missing.add(`${String(r.kind)}.${f} (${e.name})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('scenarios/schema.json and docs/trace.md are generated from the code (run `npm run schema`)', () => {
    expect(readFileSync(join(SCENARIOS, 'schema.json'), 'utf8')).toBe(scenarioJsonSchema());
    expect(readFileSync(join(ROOT, 'docs', 'trace.md'), 'utf8')).toBe(traceDoc());
  });

  it('kind names are unique', () => {
    const names = TRACE_KINDS.map((k) => k.kind);
    expect(new Set(names).size).toBe(names.length);
  });
});
