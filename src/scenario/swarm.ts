/**
 * A scenario family's member for one seed (`dmadbg swarm`, `dmadbg shrink`): the file's
 * JSON with the seed's choices from its `swarm` section applied, the section removed and
 * `seed` set, so the result is a plain scenario that reproduces the run on its own. The
 * choices come from their own PRNG stream (the seed through splitmix32, mixed with a
 * constant), so they do not shift the machine's draws; they depend on nothing but the
 * file and the seed, whichever worker or shard computes them.
 */
import { intBelow, intBetween, prngFromSeed } from '../sim/core/prng.ts';
import { BEHAVIOURS, behaviourById } from '../sim/kernel.ts';
import { type ScenarioProblem, jsonPath } from './problems.ts';
import { SwarmSection, type SwarmSectionOut } from './schema/swarm.ts';
import { zodIssuesToProblems } from './zod-issues.ts';
import { closest } from './suggest.ts';

type Json = unknown;
type Doc = Record<string, Json>;

/** Mixed into the seed so the swarm's stream differs from the machine's own. */
const SWARM_STREAM = 0x5377_6172; // "Swar"

export interface Variant {
  /** The scenario document for this seed (no `swarm` section, `seed` set). */
  readonly doc: Doc;
  /** What the seed chose, one short line each ("devices vdec0,img0", "mtk.iotlbEntries=4"). */
  readonly choices: readonly string[];
}

/** "devices[1].start" or "devices.1.start" -> ['devices', 1, 'start']. */
export function parsePath(path: string): (string | number)[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((w) => w !== '')
    .map((w) => (/^\d+$/.test(w) ? Number(w) : w));
}

function holder(doc: Json, keys: readonly (string | number)[]): { obj: Record<string | number, Json>; key: string | number } | undefined {
  let cur: Json = doc;
  for (const k of keys.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  if (cur === null || typeof cur !== 'object') return undefined;
  return { obj: cur as Record<string | number, Json>, key: keys[keys.length - 1] };
}

/**
 * Problems with a file's `swarm` section that no member's checks would name: a path that is
 * not in the file (a typo would otherwise vary nothing), an unknown behaviour or choice.
 */
export function checkSwarm(raw: Doc, file: string): ScenarioProblem[] {
  if (raw.swarm === undefined) return [{ file, path: 'swarm', message: 'the scenario has no swarm section', hint: 'add "swarm": { "devices": { "min": 1 } } to let seeds vary the devices (docs/swarm.md)' }];
  const parsed = SwarmSection.safeParse(raw.swarm);
  if (!parsed.success) return zodIssuesToProblems(file, SwarmSection, raw.swarm, parsed.error.issues).map((p) => ({ ...p, path: p.path ? `swarm.${p.path}` : 'swarm' }));
  const s = parsed.data;
  const out: ScenarioProblem[] = [];
  s.vary.forEach((v, i) => {
    const keys = parsePath(v.path);
    const h = holder(raw, keys);
    if (!h || !(h.key in h.obj)) out.push({ file, path: `swarm.vary[${i}].path`, message: `"${v.path}" is not in the file`, hint: 'name a value the file sets, e.g. "mtk.iotlbEntries" or "devices[0].start"' });
  });
  for (const [id, choices] of Object.entries(s.overrides)) {
    const b = behaviourById(id);
    if (!b) {
      const near = closest(id, BEHAVIOURS.map((x) => x.id));
      out.push({ file, path: `swarm.overrides.${id}`, message: `unknown kernel behaviour "${id}"`, hint: near ? `did you mean "${near}"?` : 'see `dmadbg info kernels`' });
      continue;
    }
    choices.forEach((c, i) => {
      if (!(b.choices as readonly string[]).includes(c)) out.push({ file, path: `swarm.overrides.${id}[${i}]`, message: `"${c}" is not a choice for ${id}`, hint: `one of: ${b.choices.join(', ')}` });
    });
  }
  const n = Array.isArray(raw.devices) ? raw.devices.length : 0;
  if (s.devices && s.devices.min > n) out.push({ file, path: 'swarm.devices.min', message: `min ${s.devices.min} is more than the ${n} devices in the file` });
  if (s.devices?.max !== undefined && s.devices.max < s.devices.min) out.push({ file, path: 'swarm.devices.max', message: `max ${s.devices.max} is below min ${s.devices.min}` });
  return out;
}

/**
 * What one seed picked, as indices into the `swarm` section: together with `seed` itself,
 * all that tells one member of the family from another (swarm workers key their cache of
 * checked members on it).
 */
export interface SwarmPicks {
  /** Per `vary` entry: the index of its choice. */
  readonly vary: readonly number[];
  /** Per overridden behaviour, ids sorted: the index of its choice (its list's length: the kernel's own). */
  readonly overrides: readonly number[];
  /** The devices kept, by index in file order (undefined: the seed does not choose devices). */
  readonly devices: readonly number[] | undefined;
}

/** "1,0|2|0,2,3": equal for two seeds exactly when their members differ only in `seed`. */
export const picksKey = (p: SwarmPicks): string => `${p.vary.join(',')}|${p.overrides.join(',')}|${p.devices?.join(',') ?? '-'}`;

/** Per parsed section: the last `vary` entry that replaces the device list itself (-1: none). */
const devicesVary = new WeakMap<SwarmSectionOut, number>();

/** How many devices the member has before the seed drops some: a `vary` of "devices" itself replaces the list. */
function deviceCount(raw: Doc, s: SwarmSectionOut, vary: readonly number[]): number {
  let i = devicesVary.get(s);
  if (i === undefined) {
    i = s.vary.findLastIndex((v) => {
      const keys = parsePath(v.path);
      return keys.length === 1 && keys[0] === 'devices';
    });
    devicesVary.set(s, i);
  }
  const list = i < 0 ? raw.devices : s.vary[i].choices[vary[i]];
  return Array.isArray(list) ? list.length : 0;
}

/**
 * The seed's draws, in the order swarmVariant makes them: a value per `vary` entry, a choice
 * per behaviour (ids sorted), then how many devices and which. `s` is the parsed section.
 */
export function swarmPicks(raw: Doc, s: SwarmSectionOut, seed: number): SwarmPicks {
  const p = prngFromSeed((seed ^ SWARM_STREAM) >>> 0);
  const vary = s.vary.map((v) => intBelow(p, v.choices.length));
  const overrides = Object.keys(s.overrides)
    .sort()
    .map((id) => intBelow(p, s.overrides[id].length + 1));
  const n = s.devices ? deviceCount(raw, s, vary) : 0;
  if (!s.devices || !n) return { vary, overrides, devices: undefined };
  const max = Math.min(n, s.devices.max ?? n);
  const keep = intBetween(p, Math.min(s.devices.min, max), max);
  // A partial Fisher-Yates shuffle picks `keep` of them; they stay in file order.
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < keep; i++) {
    const j = i + intBelow(p, idx.length - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return { vary, overrides, devices: idx.slice(0, keep).sort((a, b) => a - b) };
}

/** The member the picks make: the file with them applied, the section removed and `seed` set. */
export function applyPicks(raw: Doc, s: SwarmSectionOut, picks: SwarmPicks, seed: number): Variant {
  const doc = structuredClone(raw);
  delete doc.swarm;
  doc.seed = seed;
  const choices: string[] = [];
  // Values first, by their paths in the file as written (before devices are dropped).
  s.vary.forEach((v, i) => {
    const pick = v.choices[picks.vary[i]];
    const h = holder(doc, parsePath(v.path));
    if (h) h.obj[h.key] = structuredClone(pick);
    choices.push(`${jsonPath(parsePath(v.path))}=${JSON.stringify(pick)}`);
  });
  Object.keys(s.overrides)
    .sort()
    .forEach((id, i) => {
      const list = s.overrides[id];
      const k = picks.overrides[i];
      if (k === list.length) return; // the kernel's own choice
      doc.overrides = { ...((doc.overrides as Doc | undefined) ?? {}), [id]: list[k] };
      choices.push(`override ${id}=${list[k]}`);
    });
  if (picks.devices) {
    const devices = doc.devices as Doc[];
    doc.devices = picks.devices.map((i) => devices[i]);
    choices.push(`devices ${picks.devices.map((i) => String(devices[i].name)).join(',') || '(none)'}`);
  }
  return { doc, choices };
}

/** The member of the family for `seed` (checkSwarm first: this assumes a valid section). */
export function swarmVariant(raw: Doc, seed: number): Variant {
  const s = SwarmSection.parse(raw.swarm ?? {});
  return applyPicks(raw, s, swarmPicks(raw, s, seed), seed);
}
