/**
 * Shared debugging sessions: everyone who connects to the same scenario joins one session.
 * The first member drives; the others watch the same stops live (they subscribe to the one
 * session) and can take over with `:driver`. A watcher's commands are refused with a
 * message. Each member sees the session through its own port (a Proxy of the real one)
 * whose exec/interrupt enforce the role; everything else (view, records, commands) passes
 * straight through, so the TUI needs no SSH-specific code.
 */
import type { CommandResult } from '../debugger/types.ts';

/** The part of a session port (src/tui/session-port.ts) that roles affect. */
export interface PortLike {
  exec(line: string): Promise<CommandResult>;
  interrupt(): void;
  subscribe(fn: () => void): () => void;
}

export type Role = 'driver' | 'watcher';

export interface Member<P extends PortLike> {
  readonly id: number;
  readonly user: string;
  readonly role: Role;
  /** The shared session this member belongs to. */
  readonly session: SharedSession<P>;
  /** The port to render: the shared port with exec/interrupt guarded by this member's role. */
  readonly port: P;
  /** One line for a status bar: "driving (2 watching)" / "watching alice — :driver to take over". */
  status(): string;
  /** Called when this session's roles change (someone took over, joined or left). */
  onRoleChange(fn: () => void): () => void;
  leave(): void;
}

/** Commands the role layer answers itself (with or without the leading ':'). */
const TAKE_OVER = new Set(['driver', 'drive', 'take']);
const WHO = new Set(['who', 'members']);

let nextId = 1;

export class SharedSession<P extends PortLike> {
  private readonly members: MemberImpl<P>[] = [];
  private driverId: number | undefined;
  private readonly roleListeners = new Set<() => void>();
  private closed = false;

  constructor(
    readonly key: string,
    readonly port: P,
    private readonly onEmpty: (s: SharedSession<P>) => void,
    private readonly dispose?: () => void,
  ) {}

  get size(): number {
    return this.members.length;
  }

  get driver(): Member<P> | undefined {
    return this.members.find((m) => m.id === this.driverId);
  }

  list(): readonly Member<P>[] {
    return this.members;
  }

  join(user: string): Member<P> {
    if (this.closed) throw new Error('session closed');
    const m = new MemberImpl(this, nextId++, user);
    this.members.push(m);
    if (this.driverId === undefined) this.driverId = m.id;
    this.changed();
    return m;
  }

  /** @internal */ leave(m: MemberImpl<P>): void {
    const i = this.members.indexOf(m);
    if (i < 0) return;
    this.members.splice(i, 1);
    if (this.driverId === m.id) {
      // The longest-connected watcher drives next, so a session never stalls without a driver.
      this.driverId = this.members[0]?.id;
    }
    if (this.members.length === 0) {
      this.closed = true;
      try {
        this.port.interrupt();
      } catch {
        /* nothing was running */
      }
      this.dispose?.();
      this.onEmpty(this);
    } else this.changed();
  }

  /** @internal */ takeOver(m: MemberImpl<P>): void {
    this.driverId = m.id;
    this.changed();
  }

  /** @internal */ onRoleChange(fn: () => void): () => void {
    this.roleListeners.add(fn);
    return () => this.roleListeners.delete(fn);
  }

  private changed(): void {
    for (const fn of [...this.roleListeners]) {
      try {
        fn();
      } catch {
        /* one member's listener must not break the others */
      }
    }
  }
}

class MemberImpl<P extends PortLike> implements Member<P> {
  readonly port: P;
  readonly session: SharedSession<P>;
  private left = false;

  constructor(private readonly shared: SharedSession<P>, readonly id: number, readonly user: string) {
    this.session = shared;
    const self = this;
    const real = shared.port;
    this.port = new Proxy(real, {
      get(target, prop) {
        if (prop === 'exec') return (line: string) => self.exec(line);
        if (prop === 'interrupt') return () => self.interrupt();
        if (prop === 'subscribe') return (fn: () => void) => self.subscribe(fn);
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  get role(): Role {
    return this.shared.driver?.id === this.id ? 'driver' : 'watcher';
  }

  status(): string {
    const others = this.shared.size - 1;
    if (this.role === 'driver') return others ? `driving (${others} watching)` : 'driving';
    return `watching ${this.shared.driver?.user ?? 'nobody'} drive — :driver to take over`;
  }

  async exec(line: string): Promise<CommandResult> {
    const word = line.trim().replace(/^:/, '').split(/\s+/, 1)[0]?.toLowerCase() ?? '';
    if (TAKE_OVER.has(word)) {
      if (this.role === 'driver') return { lines: ['you are already driving'] };
      const was = this.shared.driver?.user;
      this.shared.takeOver(this);
      return { lines: [`you drive now${was ? ` (took over from ${was})` : ''}`] };
    }
    if (WHO.has(word)) {
      return { lines: this.shared.list().map((m) => `${m.role === 'driver' ? '*' : ' '} ${m.user}${m.id === this.id ? ' (you)' : ''}`) };
    }
    if (this.role !== 'driver') {
      return {
        lines: [],
        error: { message: `watching: ${this.shared.driver?.user ?? 'another user'} drives this session`, hint: 'type :driver to take over' },
      };
    }
    return this.shared.port.exec(line);
  }

  interrupt(): void {
    if (this.role === 'driver') this.shared.port.interrupt();
  }

  onRoleChange(fn: () => void): () => void {
    return this.shared.onRoleChange(fn);
  }

  subscribe(fn: () => void): () => void {
    const a = this.shared.port.subscribe(fn);
    const b = this.shared.onRoleChange(fn);
    return () => {
      a();
      b();
    };
  }

  leave(): void {
    if (this.left) return;
    this.left = true;
    this.shared.leave(this);
  }
}

/** All shared sessions of one server, keyed by scenario (file + options). */
export class SharedSessions<P extends PortLike> {
  private readonly byKey = new Map<string, SharedSession<P>>();
  private readonly pending = new Map<string, Promise<SharedSession<P>>>();

  constructor(private readonly create: (key: string) => Promise<{ port: P; dispose?: () => void }> | { port: P; dispose?: () => void }) {}

  get count(): number {
    return this.byKey.size;
  }

  get(key: string): SharedSession<P> | undefined {
    return this.byKey.get(key);
  }

  /** Join the session for `key`, creating it for the first member. */
  async join(key: string, user: string): Promise<Member<P>> {
    const open = this.byKey.get(key);
    if (open) return open.join(user);
    let p = this.pending.get(key);
    if (!p) {
      p = (async () => {
        const { port, dispose } = await this.create(key);
        const s = new SharedSession<P>(key, port, (gone) => {
          if (this.byKey.get(key) === gone) this.byKey.delete(key);
        }, dispose);
        this.byKey.set(key, s);
        return s;
      })();
      this.pending.set(key, p);
      p.finally(() => this.pending.delete(key)).catch(() => {});
    }
    return (await p).join(user);
  }
}
