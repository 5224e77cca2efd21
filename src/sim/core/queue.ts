/**
 * The scheduler's event queue: a 4-ary min-heap ordered by (t, prio, seq), kept in
 * parallel typed arrays so a push or pop allocates nothing (they only grow, by doubling).
 * (t, prio) fold into one exact float key, t * PRIO_SPAN + prio, so most comparisons are
 * one load; seq breaks ties in push order. The heap arrays hold keys and seqs in heap
 * order for locality; payloads sit in slots. All plain data: a snapshot serialises it.
 */
import { assert } from './assert.ts';

/** Priorities are 0..PRIO_SPAN-1; virtual time must stay below 2^53 / PRIO_SPAN ns (~39 h). */
export const PRIO_SPAN = 64;
export const T_MAX = Math.floor(Number.MAX_SAFE_INTEGER / PRIO_SPAN);

export interface EventQueue {
  size: number;
  /** Next sequence number: ties in (t, prio) pop in push order. */
  seqNext: number;
  hkey: Float64Array; // heap position -> t * PRIO_SPAN + prio
  hseq: Float64Array; // heap position -> seq
  hslot: Int32Array; // heap position -> slot
  t: Float64Array; // slot -> virtual time (ns)
  type: Int32Array; // slot -> handler id
  a: Float64Array; // slot -> first argument
  b: Float64Array; // slot -> second argument
  free: Int32Array; // stack of free slots
  freeTop: number;
}

type QueueArrays = Pick<EventQueue, 'hkey' | 'hseq' | 'hslot' | 't' | 'type' | 'a' | 'b' | 'free'>;

/**
 * The eight arrays as views of one buffer: one backing store per queue, not eight (a swarm
 * builds a machine per seed, and every backing store is a malloc and a free on V8's sweeper).
 */
function queueArrays(cap: number): QueueArrays {
  const buf = new ArrayBuffer(cap * (5 * 8 + 3 * 4));
  let at = 0;
  const f64 = () => {
    const v = new Float64Array(buf, at, cap);
    at += 8 * cap;
    return v;
  };
  const i32 = () => {
    const v = new Int32Array(buf, at, cap);
    at += 4 * cap;
    return v;
  };
  // The Float64Arrays first, so every view is aligned; returned in the queue's field order.
  const hkey = f64(), hseq = f64(), t = f64(), a = f64(), b = f64();
  return { hkey, hseq, hslot: i32(), t, type: i32(), a, b, free: i32() };
}

export function queueCreate(capacity = 1024): EventQueue {
  const v = queueArrays(capacity);
  const q: EventQueue = { size: 0, seqNext: 0, hkey: v.hkey, hseq: v.hseq, hslot: v.hslot, t: v.t, type: v.type, a: v.a, b: v.b, free: v.free, freeTop: capacity };
  for (let i = 0; i < capacity; i++) q.free[i] = capacity - 1 - i;
  return q;
}

function grow(q: EventQueue): void {
  const old = q.hkey.length;
  const cap = old * 2;
  const n = queueArrays(cap);
  n.hkey.set(q.hkey);
  n.hseq.set(q.hseq);
  n.hslot.set(q.hslot);
  n.t.set(q.t);
  n.type.set(q.type);
  n.a.set(q.a);
  n.b.set(q.b);
  Object.assign(q, n);
  // Every old slot is in use (that is why we grow); the new ones are free.
  let top = 0;
  for (let i = cap - 1; i >= old; i--) q.free[top++] = i;
  q.freeTop = top;
}

export function queuePush(q: EventQueue, t: number, prio: number, type: number, a = 0, b = 0): number {
  assert(t <= T_MAX && prio >= 0 && prio < PRIO_SPAN, 'event time or priority out of range');
  if (q.freeTop === 0) grow(q);
  const slot = q.free[--q.freeTop];
  const seq = q.seqNext++;
  q.t[slot] = t;
  q.type[slot] = type;
  q.a[slot] = a;
  q.b[slot] = b;
  const key = t * PRIO_SPAN + prio;
  const hkey = q.hkey, hseq = q.hseq, hslot = q.hslot;
  // Sift up: a new event never precedes an equal key (its seq is the largest), so `<` suffices.
  let i = q.size++;
  while (i > 0) {
    const parent = (i - 1) >> 2;
    if (hkey[parent] <= key) break;
    hkey[i] = hkey[parent];
    hseq[i] = hseq[parent];
    hslot[i] = hslot[parent];
    i = parent;
  }
  hkey[i] = key;
  hseq[i] = seq;
  hslot[i] = slot;
  return seq;
}

/** Slot of the earliest event, or -1 when empty. The slot stays valid until the next push. */
export function queuePop(q: EventQueue): number {
  if (q.size === 0) return -1;
  const hkey = q.hkey, hseq = q.hseq, hslot = q.hslot;
  const top = hslot[0];
  const n = --q.size;
  if (n > 0) {
    const key = hkey[n], seq = hseq[n], slot = hslot[n];
    // Bottom-up (Floyd): the hole goes down the smaller children to a leaf without comparing
    // with the moved event, which then climbs back (usually not at all: it came from the
    // bottom). Pop order is (key, seq) either way; only the layout of equal paths differs.
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // The smallest of up to four children: a 4-ary heap is half as deep as a binary one.
      let c = first;
      const last = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < last; k++) {
        if (hkey[k] < hkey[c] || (hkey[k] === hkey[c] && hseq[k] < hseq[c])) c = k;
      }
      hkey[i] = hkey[c];
      hseq[i] = hseq[c];
      hslot[i] = hslot[c];
      i = c;
    }
    while (i > 0) {
      const parent = (i - 1) >> 2;
      if (hkey[parent] < key || (hkey[parent] === key && hseq[parent] < seq)) break;
      hkey[i] = hkey[parent];
      hseq[i] = hseq[parent];
      hslot[i] = hslot[parent];
      i = parent;
    }
    hkey[i] = key;
    hseq[i] = seq;
    hslot[i] = slot;
  }
  q.free[q.freeTop++] = top;
  return top;
}

export function queuePeekTime(q: EventQueue): number {
  return q.size === 0 ? Infinity : q.t[q.hslot[0]];
}
