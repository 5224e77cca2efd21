// `dmadbg new` for every template writes a file that validates (no problem, no warning) and
// runs to its end; a copy of every built-in scenario (`--from`) runs the same trace as the
// original; docs/scenarios.md is generated from the schema's descriptions and covers every
// section, device kind and op (issue 18 §6).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES } from '../../src/scenario/templates/index.ts';
import { copyText, templateText } from '../../src/scenario/new-scenario.ts';
import { validateScenarioFile } from '../../src/scenario/validate.ts';
import { openScenario } from '../../src/scenario/open.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { formatProblem } from '../../src/scenario/problems.ts';
import { MODELS, scenarioDoc } from '../../src/scenario/scenario-doc.ts';
import { scenarioSchemaForWalk } from '../../src/scenario/json-schema.ts';
import { type JsonSchemaNode, branchTag, discriminatorOf } from '../../src/scenario/schema-walk.ts';
import { listScenarios } from '../../src/store/catalog.ts';
import { ROOT, SCENARIOS, runLines } from '../helpers/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'dmadbg-templates-'));
const schemaRef = join(SCENARIOS, 'schema.json');

function runToEnd(file: string): { records: number; kinds: Set<string>; ended: boolean } {
  const { machine: m } = openScenario(file);
  const kinds = new Set<string>();
  let ended = false;
  for (let i = 0; i < 1_000_000; i++) {
    if (!m.step()) {
      ended = true;
      break;
    }
    for (const r of m.stepRecords) kinds.add(r.kind);
  }
  return { records: m.state.traceCount, kinds, ended };
}

describe('templates', () => {
  it('ids are unique and every model past the file and memory has at least one', () => {
    expect(new Set(TEMPLATES.map((t) => t.id)).size).toBe(TEMPLATES.length);
    for (const m of MODELS.filter((x) => x.id !== 'scenario' && x.id !== 'memory')) {
      expect(TEMPLATES.some((t) => t.model === m.id), m.id).toBe(true);
    }
    for (const t of TEMPLATES) expect(MODELS.map((m) => m.id), t.id).toContain(t.model);
  });

  for (const t of TEMPLATES) {
    it(`${t.id}: the written file validates with no warning and runs to its end`, () => {
      const file = join(dir, `${t.id}-new.jsonc`);
      writeFileSync(file, templateText(t, { name: `${t.id}-new`, schemaRef, comments: true }));
      const v = validateScenarioFile(file);
      expect([...v.problems, ...v.warnings].map(formatProblem)).toEqual([]);
      const run = runToEnd(file);
      expect(run.ended).toBe(true);
      expect(run.records).toBeGreaterThan(5);
      // Every note names a place that exists in the scenario.
      const text = readFileSync(file, 'utf8');
      for (const note of Object.values(t.notes ?? {})) expect(text.replace(/\n\s*\/\/ /g, ' ')).toContain(note.split(' ').slice(0, 4).join(' '));
    });
  }

  it('the mtk template shows its point: a fault at the raw IOVA, reported by the ISR', () => {
    const file = join(dir, 'mtk-point.jsonc');
    writeFileSync(file, templateText(TEMPLATES.find((t) => t.id === 'mtk')!, { name: 'mtk-point', schemaRef, comments: true }));
    const kinds = runToEnd(file).kinds;
    expect(kinds).toContain('fault');
    expect(kinds).not.toContain('larb-off-dma');
  });

  it('comments carry the schema\'s words for each field and for the first op of each kind', () => {
    const text = templateText(TEMPLATES.find((t) => t.id === 'mtk')!, { name: 'c', schemaRef, comments: true });
    expect(text).toMatch(/^  \/\/ kernel whose behaviour is modelled;/m);
    expect(text).toMatch(/\/\/ mtk_smi_larb_get \(pm_runtime_get_sync of the larb\)/);
    expect(text.match(/mtk_smi_larb_get \(pm_runtime/g)).toHaveLength(1);
    expect(text).toMatch(/\/\/ also: m4u, iotlbEntries, irqLatency, inject/);
    expect(text.split('\n').every((l) => l.length <= 100 || !/^\s*\/\//.test(l))).toBe(true);
    // The plain form is JSON, laid out the same way.
    const plain = templateText(TEMPLATES.find((t) => t.id === 'mtk')!, { name: 'c', schemaRef, comments: false });
    expect(plain).not.toContain('//');
    expect(JSON.parse(plain).devices[0].ops[0]).toEqual({ op: 'larb-get' });
  });
});

describe('--from: a commented copy', () => {
  for (const e of listScenarios(SCENARIOS)) {
    it(`${e.name}: the copy runs the same trace`, () => {
      const res = loadScenarioFile(e.file);
      if (!res.ok) throw new Error(res.problems.map(formatProblem).join('\n'));
      const file = join(dir, `copy-${e.name}.jsonc`);
      writeFileSync(file, copyText(res.raw as Record<string, unknown>, e.name, { name: `copy-${e.name}`, schemaRef, comments: true }));
      expect(runLines(file, { maxEvents: 5000 })).toEqual(runLines(e.file, { maxEvents: 5000 }));
    });
  }
});

describe('docs/scenarios.md', () => {
  const root = scenarioSchemaForWalk();
  const props = root.properties!;

  it('is generated from the schema, the behaviour table and the templates (run `npm run schema`)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'scenarios.md'), 'utf8')).toBe(scenarioDoc());
  });

  it('every section and device kind belongs to exactly one model', () => {
    const sections = MODELS.flatMap((m) => m.sections);
    expect([...sections].sort()).toEqual(Object.keys(props).filter((k) => k !== 'devices').sort());
    const kinds = MODELS.flatMap((m) => m.deviceKinds);
    expect([...kinds].sort()).toEqual((props.devices.items!.oneOf ?? []).map((b) => branchTag(b, 'kind')).sort());
  });

  it('every section, device kind and op says what it is (the op: what the kernel requires)', () => {
    const missing: string[] = [];
    for (const k of Object.keys(props)) if (!props[k].description) missing.push(`section ${k}`);
    const seen = new Set<JsonSchemaNode>();
    const walk = (n: JsonSchemaNode | undefined, at: string) => {
      if (!n || seen.has(n)) return;
      seen.add(n);
      const d = discriminatorOf(n);
      for (const b of n.oneOf ?? n.anyOf ?? []) {
        if (d && !b.description) missing.push(`${at} ${d}=${branchTag(b, d)}`);
        walk(b, d ? `${at}{${d}=${branchTag(b, d)}}` : at);
      }
      for (const [k, c] of Object.entries(n.properties ?? {})) walk(c, `${at}.${k}`);
      walk(n.items, `${at}[]`);
    };
    walk(root, '');
    expect(missing).toEqual([]);
  });
});
