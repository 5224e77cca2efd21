/**
 * The scheduler's event queue: a binary min-heap ordered by (t, prio, seq), kept in
 * parallel typed arrays so a push or pop allocates nothing. Slots hold the payload; the
 * heap holds slot numbers. Everything is plain data, so structuredClone snapshots it.
 */
export interface EventQueue {
  size: number;
  /** Next sequence number: ties in (t, prio) pop in push order. */
  seqNext: number;
  heap: Int32Array; // heap position -> slot
  t: Float64Array; // slot -> virtual time (ns)
  prio: Int32Array; // slot -> priority (lower first)
  seq: Float64Array; // slot -> sequence number
  type: Int32Array; // slot -> handler id
  a: Float64Array; // slot -> first argument
  b: Float64Array; // slot -> second argument
  free: Int32Array; // stack of free slots
  freeTop: number;
}

export function queueCreate(capacity = 1024): EventQueue {
  const q: EventQueue = {
    size: 0,
    seqNext: 0,
    heap: new Int32Array(capacity),
    t: new Float64Array(capacity),
    prio: new Int32Array(capacity),
    seq: new Float64Array(capacity),
    type: new Int32Array(capacity),
    a: new Float64Array(capacity),
    b: new Float64Array(capacity),
    free: new Int32Array(capacity),
    freeTop: capacity,
  };
  for (let i = 0; i < capacity; i++) q.free[i] = capacity - 1 - i;
  return q;
}

function grow(q: EventQueue): void {
  const old = q.heap.length;
  const cap = old * 2;
  const g = <T extends Int32Array | Float64Array>(arr: T, C: new (n: number) => T): T => {
    const n = new C(cap);
    n.set(arr);
    return n;
  };
  q.heap = g(q.heap, Int32Array);
  q.t = g(q.t, Float64Array);
  q.prio = g(q.prio, Int32Array);
  q.seq = g(q.seq, Float64Array);
  q.type = g(q.type, Int32Array);
  q.a = g(q.a, Float64Array);
  q.b = g(q.b, Float64Array);
  const free = new Int32Array(cap);
  // All old slots are in use (that is why we grow); the new ones are free.
  let top = 0;
  for (let i = cap - 1; i >= old; i--) free[top++] = i;
  q.free = free;
  q.freeTop = top;
}

/** a before b? */
function less(q: EventQueue, x: number, y: number): boolean {
  const tx = q.t[x], ty = q.t[y];
  if (tx !== ty) return tx < ty;
  const px = q.prio[x], py = q.prio[y];
  if (px !== py) return px < py;
  return q.seq[x] < q.seq[y];
}

export function queuePush(q: EventQueue, t: number, prio: number, type: number, a = 0, b = 0): number {
  if (q.freeTop === 0) grow(q);
  const slot = q.free[--q.freeTop];
  const seq = q.seqNext++;
  q.t[slot] = t;
  q.prio[slot] = prio;
  q.seq[slot] = seq;
  q.type[slot] = type;
  q.a[slot] = a;
  q.b[slot] = b;
  // sift up
  const heap = q.heap;
  let i = q.size++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const ps = heap[parent];
    if (!less(q, slot, ps)) break;
    heap[i] = ps;
    i = parent;
  }
  heap[i] = slot;
  return seq;
}

/** Slot of the earliest event, or -1 when empty. The slot stays valid until the next push. */
export function queuePop(q: EventQueue): number {
  if (q.size === 0) return -1;
  const heap = q.heap;
  const top = heap[0];
  const last = heap[--q.size];
  const n = q.size;
  let i = 0;
  if (n > 0) {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = heap[l];
      let ci = l;
      if (r < n && less(q, heap[r], c)) {
        c = heap[r];
        ci = r;
      }
      if (!less(q, c, last)) break;
      heap[i] = c;
      i = ci;
    }
    heap[i] = last;
  }
  q.free[q.freeTop++] = top;
  return top;
}

export function queuePeekTime(q: EventQueue): number {
  return q.size === 0 ? Infinity : q.t[q.heap[0]];
}
