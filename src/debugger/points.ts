/**
 * Breakpoints, watchpoints and log points: one table, numbered from 1 as gdb does. Each
 * point is a test over trace records; the session runs every fresh record past the
 * enabled points after each event, and reverse-continue runs the recorded ones backwards.
 */
import type { TraceRecord } from '../sim/core/trace.ts';
import { fieldText } from '../sim/trace/codec.ts';
import type { PointView } from './types.ts';
import { type Pred, type RecordTest, predText, testAll } from './match.ts';

export interface Point {
  readonly id: number;
  readonly type: PointView['type'];
  /** The spec after the command word, e.g. "fault mmu=1"; re-parsing it rebuilds `test`. */
  readonly what: string;
  readonly test: RecordTest;
  enabled: boolean;
  temporary: boolean;
  hits: number;
  ignore: number;
  condition: Pred[];
  commands: string[];
  /** Log points: the text with {field} holes. */
  readonly template?: string;
  /** Record kinds the test can match (lets backward scans skip the rest unparsed). */
  readonly kinds?: ReadonlySet<string>;
  /** Checks a new condition (`condition N`) against the kinds, as the spec's own were. */
  readonly checkCondition?: (ps: readonly Pred[]) => Pred[];
}

/** What one record did to the points: log lines printed, and the point that stops, if any. */
export interface PointHit {
  readonly point: Point;
  readonly record: TraceRecord;
}

export class PointTable {
  private readonly list: Point[] = [];
  private nextId = 1;

  add(p: Omit<Point, 'id' | 'hits' | 'ignore' | 'condition' | 'commands' | 'enabled'> & Partial<Point>): Point {
    const point: Point = { enabled: true, hits: 0, ignore: 0, condition: [], commands: [], ...p, id: this.nextId++ };
    this.list.push(point);
    return point;
  }

  get(id: number): Point | undefined {
    return this.list.find((p) => p.id === id);
  }

  all(): readonly Point[] {
    return this.list;
  }

  delete(id: number): boolean {
    const i = this.list.findIndex((p) => p.id === id);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  clear(): void {
    this.list.length = 0;
  }

  get activeCount(): number {
    let n = 0;
    for (const p of this.list) if (p.enabled) n++;
    return n;
  }

  /**
   * Run one fresh record past the points (forward motion): counts hits, honours ignore
   * counts, collects log lines; returns the first point that stops here.
   */
  check(r: TraceRecord, logs: string[]): Point | undefined {
    let stop: Point | undefined;
    for (const p of this.list) {
      if (!p.enabled || !p.test(r) || !testAll(p.condition, r)) continue;
      p.hits++;
      if (p.type === 'logpoint') {
        logs.push(interpolate(p.template ?? '', r));
        continue;
      }
      if (p.ignore > 0) {
        p.ignore--;
        continue;
      }
      stop ??= p;
    }
    return stop;
  }

  /** Would this record stop a reverse-continue? (No counting: reverse motion is looking.) */
  stopsAt(r: TraceRecord): Point | undefined {
    for (const p of this.list) {
      if (p.enabled && p.type !== 'logpoint' && p.test(r) && testAll(p.condition, r)) return p;
    }
    return undefined;
  }

  /**
   * Kinds any enabled stopping point can match, or undefined when one of them can match
   * any kind (then every record must be parsed).
   */
  stopKinds(): Set<string> | undefined {
    const out = new Set<string>();
    for (const p of this.list) {
      if (!p.enabled || p.type === 'logpoint') continue;
      if (!p.kinds) return undefined;
      for (const k of p.kinds) out.add(k);
    }
    return out;
  }

  view(): PointView[] {
    return this.list.map((p) => ({
      id: p.id,
      type: p.type,
      what: p.what,
      enabled: p.enabled,
      temporary: p.temporary,
      hits: p.hits,
      ignore: p.ignore,
      condition: p.condition.length ? p.condition.map(predText).join(' and ') : undefined,
      commands: p.commands,
    }));
  }
}

/** "dma {dev} at {iova}" with the record's fields; {seq}, {t}, {kind} work too. */
export function interpolate(template: string, r: TraceRecord): string {
  return template.replace(/\{([\w-]+)\}/g, (_, f: string) => {
    const v = f === 'seq' || f === 't' || f === 'kind' ? String(r[f]) : fieldText(r, f);
    return v === undefined ? `{${f}?}` : v;
  });
}
