/**
 * Every record the mtk scenarios emit has a documented kind, and every field it carries is
 * documented for that kind (TRACE_KINDS feeds --until-kind, breakpoints and docs/trace.md).
 * Without this a new field would reach users unexplained.
 */
import { describe, expect, it } from 'vitest';
import { TRACE_KINDS } from '../../../src/sim/trace-kinds.ts';
import { runRecords } from '../../helpers/scenario.ts';

const SCENARIOS = ['mt8183-bus-sel', 'mtk-missing-flush', 'mtk-tf-protect', 'mt2712-two-m4u', 'mtk-4gb-mode', 'mtk-4gb-mode-mt8183', 'v7s-split-blk', 'mtk-larb-off'];

describe('mtk trace kinds are documented', () => {
  it.each(SCENARIOS)('%s', (name) => {
    const docs = new Map<string, (typeof TRACE_KINDS)[number]>(TRACE_KINDS.map((k) => [k.kind, k]));
    const undocumented = new Set<string>();
    for (const r of runRecords(name)) {
      const doc = docs.get(r.kind as string);
      if (!doc) {
        undocumented.add(`kind ${String(r.kind)}`);
        continue;
      }
      for (const f of Object.keys(r)) {
        if (f !== 'seq' && f !== 't' && f !== 'kind' && !(f in doc.fields)) undocumented.add(`${String(r.kind)}.${f}`);
      }
    }
    expect([...undocumented]).toEqual([]);
  });
});
