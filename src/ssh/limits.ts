/** Limits on what one server hands out: concurrent sessions, auth attempts, idle time. */
export interface Limits {
  /** Open SSH sessions (TUI or exec) across all connections. */
  readonly maxSessions: number;
  /** Open connections from one remote address. */
  readonly maxConnectionsPerAddress: number;
  /** Failed authentication attempts per connection before it is closed (the first "none" probe is free). */
  readonly maxAuthAttempts: number;
  /** A connection that has not authenticated within this time is closed. */
  readonly authTimeoutMs: number;
  /** A session with no input for this long is closed (0 = never). */
  readonly idleTimeoutMs: number;
  /** An exec command running longer than this is killed (0 = never). */
  readonly execTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxSessions: 32,
  maxConnectionsPerAddress: 16,
  maxAuthAttempts: 6,
  authTimeoutMs: 30_000,
  idleTimeoutMs: 30 * 60_000,
  execTimeoutMs: 10 * 60_000,
};

/** A counting semaphore without waiting: take() fails when full. */
export class Slots {
  private used = 0;
  constructor(readonly max: number) {}
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
  give(): void {
    if (this.used > 0) this.used--;
  }
  get inUse(): number {
    return this.used;
  }
}

/** Per-key counters (connections per remote address). */
export class KeyedSlots {
  private readonly used = new Map<string, number>();
  constructor(readonly max: number) {}
  take(key: string): boolean {
    const n = this.used.get(key) ?? 0;
    if (n >= this.max) return false;
    this.used.set(key, n + 1);
    return true;
  }
  give(key: string): void {
    const n = (this.used.get(key) ?? 0) - 1;
    if (n > 0) this.used.set(key, n);
    else this.used.delete(key);
  }
}

/** Calls `onIdle` once when `touch()` has not been called for `ms`. unref'd: never keeps the process alive. */
export class IdleTimer {
  private timer?: NodeJS.Timeout;
  private last = Date.now();
  private done = false;
  constructor(private readonly ms: number, private readonly onIdle: () => void) {
    if (ms > 0) this.arm(ms);
  }
  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      const idle = Date.now() - this.last;
      if (idle >= this.ms) {
        this.done = true;
        this.onIdle();
      } else this.arm(this.ms - idle);
    }, delay);
    this.timer.unref();
  }
  touch(): void {
    this.last = Date.now();
  }
  stop(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
  }
  get fired(): boolean {
    return this.done;
  }
}
