/**
 * The larb runtime-PM lint: an mtk-engine doing DMA while its larb's usage count is 0.
 * mtk_smi_larb_get (pm_runtime_get_sync) resumes a larb; the last mtk_smi_larb_put
 * suspends it, and an access through a suspended larb is refused (a `larb-off-dma` record,
 * src/sim/smi/power.ts smiLarbPowered). Engines run on a fixed timetable (the op list from
 * `start`, 1 ns per op, a delay's ns, `period` between rounds: src/sim/devices/workload.ts),
 * so the count at each access is known before the run, except where two engines sharing a
 * larb act at the same nanosecond (the order is then the event queue's): there the
 * analysis of that larb stops rather than guess.
 */
import type { ScenarioProblem } from './problems.ts';
import type { Lint } from './lint.ts';
import type { ScenarioOut } from './schema/index.ts';

/** Ops followed per engine: the rules concern the first accesses, not the ten-millionth. */
const MAX_OPS = 4096;

type Engine = Extract<ScenarioOut['devices'][number], { kind: 'mtk-engine' }>;
type Act = 'get' | 'put' | 'dma';
interface Step {
  readonly t: number;
  readonly dev: number;
  readonly op: number;
  readonly act: Act;
  /** read / write, for the message. */
  readonly what?: string;
}

const ACT: Partial<Record<Engine['ops'][number]['op'], Act>> = { 'larb-get': 'get', 'larb-put': 'put', read: 'dma', write: 'dma', access: 'dma' };

/** An engine's acts in time order, and the time up to which they are all known. */
function timetable(d: Engine, index: number): { steps: Step[]; until: number } {
  const steps: Step[] = [];
  let t = d.start;
  let n = 0;
  for (let round = 0; round < d.repeat; round++) {
    for (let k = 0; k < d.ops.length; k++) {
      if (n++ >= MAX_OPS) return { steps, until: t - 1 };
      const op = d.ops[k];
      const act = ACT[op.op];
      if (act) steps.push({ t, dev: index, op: k, act, ...(act === 'dma' ? { what: op.op === 'access' ? op.dir : op.op } : {}) });
      const delay = op.op === 'delay' ? op.ns : 1;
      t += k === d.ops.length - 1 ? delay + d.period : delay;
    }
  }
  return { steps, until: Infinity };
}

export const lintLarbPower: Lint = ({ s, file }) => {
  if (!s.mtk) return [];
  const out: ScenarioProblem[] = [];
  const byLarb = new Map<number, { d: Engine; i: number }[]>();
  s.devices.forEach((d, i) => {
    if (d.kind === 'mtk-engine') byLarb.set(d.larb, [...(byLarb.get(d.larb) ?? []), { d, i }]);
  });
  for (const [larb, engines] of byLarb) {
    const tables = engines.map(({ d, i }) => timetable(d, i));
    const until = Math.min(...tables.map((x) => x.until));
    const steps = tables.flatMap((x) => x.steps).filter((x) => x.t <= until).sort((a, b) => a.t - b.t || a.dev - b.dev);
    const warned = new Set<number>();
    const more = new Map<number, number>();
    let count = 0;
    let lastPut: Step | undefined;
    let gotEver = false;
    const refused = (x: Step) => {
      if (warned.has(x.dev)) return void more.set(x.dev, (more.get(x.dev) ?? 0) + 1);
      warned.add(x.dev);
      const d = s.devices[x.dev];
      const why = lastPut ? `the last larb-put was devices[${lastPut.dev}].ops[${lastPut.op}] at t=${lastPut.t}ns` : gotEver ? 'every larb-get so far was put' : `nothing has taken larb${larb} yet`;
      out.push({
        file,
        path: `devices[${x.dev}].ops[${x.op}]`,
        message: `${d.name} ${x.what}s through larb${larb} at t=${x.t}ns while the larb's runtime-PM count is 0 (${why}): the larb is suspended and the access is refused (larb-off-dma)`,
        hint: 'hold the larb while the engine does DMA: {"op": "larb-get"} before it (mtk_smi_larb_get), larb-put after',
      });
    };
    for (let g = 0; g < steps.length; ) {
      let h = g;
      while (h < steps.length && steps[h].t === steps[g].t) h++;
      const group = steps.slice(g, h);
      g = h;
      if (new Set(group.map((x) => x.dev)).size === 1) {
        // One engine at this nanosecond: its ops run in list order.
        for (const x of group) {
          if (x.act === 'get') {
            count++;
            gotEver = true;
          } else if (x.act === 'put') {
            if (count === 0) {
              out.push({
                file,
                path: `devices[${x.dev}].ops[${x.op}]`,
                message: `larb-put at t=${x.t}ns while larb${larb}'s runtime-PM count is already 0: an unbalanced put (the larb-power record says so)`,
                hint: 'pair every larb-put with an earlier larb-get of the same engine',
              });
            } else if (--count === 0) lastPut = x;
          } else if (count === 0) refused(x);
        }
        continue;
      }
      // Engines at the same nanosecond: the queue decides their order. An access is certain
      // to be refused only if no order could have taken the larb before it.
      const gets = group.filter((x) => x.act === 'get').length;
      const puts = group.filter((x) => x.act === 'put').length;
      if (count === 0 && gets === 0) for (const x of group) if (x.act === 'dma') refused(x);
      if (gets > 0 && count - puts < 0) break; // the count after this depends on the order
      count = gets === 0 ? Math.max(0, count - puts) : count + gets - puts;
      if (gets) gotEver = true;
      if (count === 0 && puts) lastPut = group.filter((x) => x.act === 'put').at(-1);
    }
    for (const [dev, n] of more) {
      const p = out.find((x) => x.path.startsWith(`devices[${dev}].ops[`) && /refused/.test(x.message));
      if (p) Object.assign(p, { message: `${p.message}; and ${n} more of its accesses` });
    }
  }
  return out;
};
