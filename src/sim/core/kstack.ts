/**
 * The kernel call chain the models are inside, for `bt`. A model marks the kernel function
 * it emulates with enter/leave around its body:
 *
 *   const F_ARM_V7S_MAP = kfunc('arm_v7s_map', 'drivers/iommu/io-pgtable-arm-v7s.c', ['iova', 'paddr', 'size']);
 *   const k = m.kstack.enter(F_ARM_V7S_MAP, iova, pa, size);
 *   ...
 *   m.kstack.leave(k);
 *
 * Chains are interned: a chain is a node in a tree of (caller chain, function), numbered from
 * 1 in the order first seen, so a record carries one integer (`stack`) and entering costs a
 * one-entry cache check. Frame arguments cost nothing unless `keepArgs` is set (what `bt`
 * turns on while it replays up to a record): then enter keeps up to four numbers per frame
 * and each record gets a copy (`frameArgs`), innermost frame first.
 *
 * Not machine state: every event starts with no kernel function entered (the scheduler is
 * the bottom of every chain), so a snapshot between events needs nothing from here.
 */

/** A kernel function a model emulates. Declared once, at module level, with kfunc(). */
export interface KFunc {
  readonly id: number;
  readonly name: string;
  /** Source file in the kernel tree, e.g. "drivers/iommu/io-pgtable-arm-v7s.c". */
  readonly file: string;
  /** Names of the arguments enter() is given, in order (at most four). */
  readonly args: readonly string[];
}

/**
 * A declared function with enter()'s cache: the last two chains it was entered from and the
 * nodes they gave, valid for the KStack that entered it last (`owner`). Kept on the function
 * rather than in per-stack arrays, so a new machine (one per swarm seed) allocates none; a
 * stack that finds another owner interns through its own map, which gives the same nodes.
 */
interface KFuncCached extends KFunc {
  owner: KStack | undefined;
  from1: number;
  node1: number;
  from2: number;
  node2: number;
}

const declare = (id: number, name: string, file: string, args: readonly string[]): KFuncCached => ({ id, name, file, args, owner: undefined, from1: -1, node1: 0, from2: -1, node2: 0 });

const FUNCS: KFuncCached[] = [declare(0, '', '', [])];

export function kfunc(name: string, file: string, args: readonly string[] = []): KFunc {
  if (args.length > 4) throw new Error(`kfunc ${name}: at most four arguments are kept`);
  const f = declare(FUNCS.length, name, file, args);
  FUNCS.push(f);
  return f;
}

/** Every kernel function the models emulate with this name (a name may be declared twice). */
export function kfuncsNamed(name: string): KFunc[] {
  return FUNCS.filter((f) => f.id !== 0 && f.name === name);
}

/** The names of every kernel function the models emulate, sorted, once each. */
export function kfuncNames(): string[] {
  return [...new Set(FUNCS.slice(1).map((f) => f.name))].sort();
}

/** One frame of a chain, innermost first; `args` when they were kept. */
export interface KFrame {
  readonly func: KFunc;
  readonly args?: readonly number[];
}

const ARGS = 4;
const EMPTY_ARGS = new Float64Array(0);

export class KStack {
  /** The current chain (0: no kernel function entered). */
  cur = 0;
  /** Keep frame arguments (off: enter ignores them). */
  keepArgs = false;
  /** Per node: its caller chain, its function and its depth (node 0 is the empty chain). */
  private readonly parent: number[] = [0];
  private readonly func: number[] = [0];
  private readonly depth: number[] = [0];
  private readonly kids = new Map<number, number>();
  /** Arguments of the frames entered, by depth (only while keepArgs; made at the first). */
  private args = EMPTY_ARGS;

  /** Enter kernel function f; returns the chain to hand back to leave(). */
  enter(f: KFunc, a0 = 0, a1 = 0, a2 = 0, a3 = 0): number {
    const from = this.cur;
    const c = f as KFuncCached;
    // Two ways per function: a recursive one (__arm_v7s_map at lvl 1, then 2) alternates callers.
    if (c.owner === this && c.from1 === from) this.cur = c.node1;
    else if (c.owner === this && c.from2 === from) this.cur = c.node2;
    else this.cur = this.intern(from, c);
    if (this.keepArgs) this.keep(a0, a1, a2, a3);
    return from;
  }

  leave(from: number): void {
    this.cur = from;
  }

  private intern(from: number, c: KFuncCached): number {
    const id = c.id;
    const key = from * 4096 + id;
    let node = this.kids.get(key);
    if (node === undefined) {
      node = this.parent.length;
      this.parent.push(from);
      this.func.push(id);
      this.depth.push(this.depth[from] + 1);
      this.kids.set(key, node);
    }
    if (c.owner !== this) {
      c.owner = this;
      c.from1 = -1;
    }
    c.from2 = c.from1;
    c.node2 = c.node1;
    c.from1 = from;
    c.node1 = node;
    return node;
  }

  private keep(a0: number, a1: number, a2: number, a3: number): void {
    const at = (this.depth[this.cur] - 1) * ARGS;
    if (at + ARGS > this.args.length) {
      const more = new Float64Array(Math.max(ARGS * 32, this.args.length * 2));
      more.set(this.args);
      this.args = more;
    }
    this.args[at] = a0;
    this.args[at + 1] = a1;
    this.args[at + 2] = a2;
    this.args[at + 3] = a3;
  }

  /** The current frames' arguments, innermost first (what a record keeps while keepArgs). */
  argsNow(): number[][] {
    if (this.args.length === 0) this.args = new Float64Array(ARGS * 32); // frames entered before keepArgs read as zero
    const out: number[][] = [];
    for (let node = this.cur; node !== 0; node = this.parent[node]) {
      const at = (this.depth[node] - 1) * ARGS;
      out.push(Array.from(this.args.subarray(at, at + FUNCS[this.func[node]].args.length)));
    }
    return out;
  }

  /** Is any of `ids` a frame of interned chain `chain`? */
  chainHas(chain: number, ids: ReadonlySet<number>): boolean {
    for (let node = chain; node > 0 && node < this.parent.length; node = this.parent[node]) if (ids.has(this.func[node])) return true;
    return false;
  }

  /** The frames of an interned chain, innermost first. */
  frames(chain: number, args?: readonly (readonly number[])[]): KFrame[] {
    const out: KFrame[] = [];
    for (let node = chain, i = 0; node > 0 && node < this.parent.length; node = this.parent[node], i++) {
      out.push(args?.[i] ? { func: FUNCS[this.func[node]], args: args[i] } : { func: FUNCS[this.func[node]] });
    }
    return out;
  }
}
