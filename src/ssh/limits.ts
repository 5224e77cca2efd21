/** Limits on what one server hands out: connections, sessions, auth attempts, idle time. */
export interface Limits {
  /** Open SSH sessions (TUI or exec) across all connections. */
  readonly maxSessions: number;
  /** Open TCP connections in all, counted from accept (before the SSH banner). */
  readonly maxConnections: number;
  /** Open connections from one remote address, counted from accept. */
  readonly maxConnectionsPerAddress: number;
  /** A connection that has not sent its SSH banner within this time is dropped. */
  readonly bannerTimeoutMs: number;
  /** Failed authentications one address may make per minute (a burst of as many, then refilled evenly). */
  readonly authFailuresPerMinute: number;
  /** Headless commands (run, validate: one child process each) one user may run at once. */
  readonly maxExecsPerUser: number;
  /** Failed authentication attempts per connection before it is closed (the first "none" probe is free). */
  readonly maxAuthAttempts: number;
  /** A connection that has not authenticated within this time of its accept is closed. */
  readonly authTimeoutMs: number;
  /** A session with no input for this long is closed (0 = never). */
  readonly idleTimeoutMs: number;
  /** An exec command running longer than this is killed (0 = never). */
  readonly execTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxSessions: 32,
  maxConnections: 128,
  maxConnectionsPerAddress: 16,
  bannerTimeoutMs: 10_000,
  authFailuresPerMinute: 20,
  maxExecsPerUser: 4,
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

/**
 * Failed logins per remote address, as a token bucket (as wish's rate-limiter middleware
 * keeps one per address): `perMinute` failures in a burst, then one more every
 * 60/perMinute seconds. An address with an empty bucket is refused at accept until it
 * refills. Full buckets are forgotten, so the map holds only addresses failing lately.
 */
export class AuthThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private static readonly MAX_ADDRESSES = 10_000;
  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  private level(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return this.perMinute;
    const tokens = Math.min(this.perMinute, b.tokens + ((this.now() - b.at) * this.perMinute) / 60_000);
    if (tokens >= this.perMinute) this.buckets.delete(key);
    return tokens;
  }

  /** True when the address may not try (again) now. */
  blocked(key: string): boolean {
    return this.perMinute > 0 && this.level(key) < 1;
  }

  /** Count one failure; true when the address is now blocked. */
  fail(key: string): boolean {
    if (this.perMinute <= 0) return false;
    const tokens = Math.max(0, this.level(key) - 1);
    if (!this.buckets.has(key) && this.buckets.size >= AuthThrottle.MAX_ADDRESSES) {
      // Under a flood from many addresses, forget the oldest entry rather than grow.
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    this.buckets.set(key, { tokens, at: this.now() });
    return tokens < 1;
  }

  /** Seconds until the address may try again (0 when it may). */
  waitSeconds(key: string): number {
    const t = this.level(key);
    return t >= 1 ? 0 : Math.ceil(((1 - t) * 60) / this.perMinute);
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
