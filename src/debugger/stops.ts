/** How a stop reads in the console, gdb style: what stopped, where, and the record. */
import { formatRecordRow, formatTime } from './format.ts';
import type { Session } from './session.ts';
import type { Stop } from './types.ts';

const ROWS_MAX = 6;

/** The records the last handled event emitted (the "current line"), up to ROWS_MAX. */
export function currentRows(s: Session): string[] {
  const e = s.machine.state.events;
  if (e === 0) return [];
  const rec = s.recording;
  const from = rec.recordsAt(e - 1);
  const to = rec.recordsAt(e);
  const out: string[] = [];
  for (let i = from; i < Math.min(to, from + ROWS_MAX); i++) out.push(formatRecordRow(rec.get(i)));
  if (to - from > ROWS_MAX) out.push(`        ... ${to - from - ROWS_MAX} more record(s) in this event`);
  return out;
}

/** "record 102 in event 21, t=1008ns" at a record; "event 21, t=1008ns" between events. */
export function where(stop: Stop): string {
  const at = stop.at !== undefined ? `record ${stop.at} in event ${stop.events}` : `event ${stop.events}`;
  return `${at}, t=${formatTime(stop.t)}`;
}

/** The stop's record row: the one that matched, or the record the machine stands at. */
function recordRow(s: Session, stop: Stop): string[] {
  if (stop.record) return [formatRecordRow(stop.record)];
  if (stop.at !== undefined && stop.at < s.recording.count) return [formatRecordRow(s.recording.get(stop.at))];
  return [];
}

export function describeStop(s: Session, stop: Stop): string[] {
  switch (stop.reason) {
    case 'breakpoint':
    case 'watchpoint': {
      const p = stop.id !== undefined ? s.points.get(stop.id) : undefined;
      const name = stop.reason === 'watchpoint' ? 'Watchpoint' : p?.temporary ? 'Temporary breakpoint' : 'Breakpoint';
      const head = `${stop.message ? stop.message + ': ' : ''}${name} ${stop.id}${p ? ` (${p.what})` : ''}, ${where(stop)}`;
      return [head, ...recordRow(s, stop)];
    }
    case 'end':
      return [`The scenario ended: ${where(stop)}, ${s.machine.state.traceCount} records.`];
    case 'limit':
      return [`Stopped: ${stop.message ?? 'event limit'}; ${where(stop)}.`];
    case 'interrupt':
      return [`Interrupted at ${where(stop)}.`, ...currentRows(s)];
    case 'error':
      return [`Error at ${where(stop)}: ${stop.message ?? ''}`];
    case 'start':
      return [`At the start: ${where(stop)}.`];
    case 'step': {
      const head = stop.message ? `${stop.message}; ${where(stop)}` : where(stop);
      return [head, ...(stop.at !== undefined ? recordRow(s, stop) : currentRows(s))];
    }
  }
}
