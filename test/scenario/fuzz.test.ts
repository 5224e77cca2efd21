// Bad input must never crash dmadbg: mutate every built-in scenario many ways and check
// that each mutant is either valid (and builds and runs a little) or rejected with messages.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { ScenarioError } from '../../src/scenario/problems.ts';
import { type Prng, intBelow, prngFromSeed } from '../../src/sim/core/prng.ts';
import { SCENARIOS } from '../helpers/scenario.ts';

const WEIRD: unknown[] = [null, -1, 0, 1.5, 2 ** 60, '', 'abc', '0x', '64Q', true, [], {}, 'dma-engine', '0xffffffffffffffff'];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every (parent, key) pair in the document, so a mutation can hit any depth. */
function slots(doc: Json, out: [Record<string, Json> | Json[], string | number][] = []) {
  if (Array.isArray(doc)) doc.forEach((v, i) => (out.push([doc, i]), slots(v, out)));
  else if (doc && typeof doc === 'object') for (const k of Object.keys(doc)) out.push([doc, k]), slots(doc[k], out);
  return out;
}

function mutate(doc: Json, p: Prng): void {
  const all = slots(doc);
  if (!all.length) return;
  const [parent, key] = all[intBelow(p, all.length)];
  const r = intBelow(p, 5);
  if (r === 0 && !Array.isArray(parent)) delete (parent as Record<string, Json>)[key as string];
  else if (r === 1 && !Array.isArray(parent)) (parent as Record<string, Json>)[`${String(key)}x`] = 1;
  else if (r === 2 && Array.isArray(parent)) parent.splice(key as number, 1);
  else (parent as Record<string | number, Json>)[key] = WEIRD[intBelow(p, WEIRD.length)] as Json;
}

describe('fuzzed scenarios', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json') && f !== 'schema.json');
  it('are valid or rejected with messages; never an uncaught exception', () => {
    const p = prngFromSeed(2024);
    let rejected = 0, accepted = 0;
    for (const f of files) {
      const text = readFileSync(join(SCENARIOS, f), 'utf8');
      for (let i = 0; i < 150; i++) {
        const doc = JSON.parse(text) as Json;
        const n = 1 + intBelow(p, 3);
        for (let j = 0; j < n; j++) mutate(doc, p);
        const r = parseScenarioText(JSON.stringify(doc), f);
        if (!r.ok) {
          rejected++;
          expect(r.problems.length).toBeGreaterThan(0);
          for (const pr of r.problems) expect(pr.message.length).toBeGreaterThan(0);
          continue;
        }
        accepted++;
        try {
          const { machine: m } = buildMachine(r.scenario, { file: f });
          for (let k = 0; k < 200 && m.step(); k++);
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw new Error(`${f} mutant ${i}: ${(e as Error).stack}\n${JSON.stringify(doc)}`);
        }
      }
    }
    expect(rejected).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });
});
