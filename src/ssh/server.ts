/**
 * `dmadbg serve --ssh`: an embedded SSH server (ssh2). Public-key auth only; each session
 * with a pty gets its own Ink render of the TUI over the channel; sessions on the same
 * scenario share one debugging session (one driver, watchers); exec runs an allowlist of
 * headless commands. No shell, no forwarding, no files beyond the scenarios directory.
 * Every handler is guarded: one session's error ends that session, never the server.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel, Session, PseudoTtyInfo, AuthContext } from 'ssh2';
import { AuthorizedKeys, createAuthHandler } from './auth.ts';
import { loadOrCreateHostKey, type HostKey } from './host-key.ts';
import { clampSize, createTtyStreams, type TtyStreams, type PtyInfo } from './channel-tty.ts';
import { SharedSessions, type Member } from './shared-session.ts';
import { EXEC_EXIT, ExecRefused, parseExec, startExec, type ExecHandle } from './exec.ts';
import { AuthThrottle, DEFAULT_LIMITS, IdleTimer, KeyedSlots, Slots, type Limits } from './limits.ts';
import { createLogger, type Logger } from './log.ts';
import type { Port, Mounted } from './tui-root.ts';

/** Unsent bytes above which a TUI session sends only the newest frame (a few frames' worth). */
const CONGESTED_BYTES = 16 * 1024;
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE_SCREEN = '\x1b[?2026l\x1b[0m\x1b[?25h\x1b[?1049l';

const { Server } = ssh2;

export interface ServeOptions {
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port?: number;
  readonly hostKeyPath: string;
  readonly authorizedKeysPath: string;
  readonly scenariosDir: string;
  /** The scenario a plain `ssh -t host` opens (a file inside scenariosDir, or a name there). */
  readonly scenario?: string;
  readonly limits?: Partial<Limits>;
  readonly log?: Logger;
  /** chalk colour level for every session (process-wide): 0 none, 1 16, 2 256, 3 truecolor. */
  readonly colorLevel?: 0 | 1 | 2 | 3;
  /** Ink's frame-rate cap per session. */
  readonly maxFps?: number;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  readonly hostKey: HostKey;
  /** Open sessions (TUI and exec). */
  sessions(): number;
  /** Shared debugging sessions (one per scenario in use). */
  sharedSessions(): number;
  close(): Promise<void>;
}

type InkModule = typeof import('ink');
export type { InkModule };

let inkPromise: Promise<InkModule> | undefined;
/** Ink reads `CI` once at import and then draws nothing: drop it before the first import. */
function loadInk(): Promise<InkModule> {
  if (!inkPromise) {
    const ci = process.env.CI;
    if (ci !== undefined && ci !== '0' && ci !== 'false') delete process.env.CI;
    process.env.NODE_ENV ??= 'production';
    inkPromise = import('ink');
  }
  return inkPromise;
}

/** Set the level of Ink's own chalk (found the way Node would resolve it from Ink's files). */
async function setColourLevel(level: 0 | 1 | 2 | 3): Promise<void> {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve('ink')));
    for (;;) {
      const pkg = join(dir, 'node_modules', 'chalk', 'package.json');
      if (existsSync(pkg)) {
        const j = JSON.parse(readFileSync(pkg, 'utf8')) as { exports?: unknown; main?: string };
        const entry = typeof j.exports === 'string' ? j.exports : (j.main ?? 'source/index.js');
        const mod = (await import(pathToFileURL(join(dirname(pkg), entry)).href)) as { default: { level: number } };
        mod.default.level = level;
        return;
      }
      const up = dirname(dir);
      if (up === dir) return;
      dir = up;
    }
  } catch {
    /* colour is cosmetic */
  }
}

interface ChannelActivity {
  opened(): void;
  closed(): void;
  /** Run `fn` when the connection closes (however it ends). */
  onGone(fn: () => void): void;
}

interface LiveSession {
  readonly kind: 'tui' | 'exec';
  /** Ends the session from the server side (shutdown, idle). */
  end(reason: string): void;
  /** Settles when the session is over (exec: its process has exited and been reaped). */
  readonly done?: Promise<unknown>;
}

export async function startSshServer(opts: ServeOptions): Promise<RunningServer> {
  const log = opts.log ?? createLogger();
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const host = opts.host ?? '127.0.0.1';
  const scenariosDir = realpathSync(opts.scenariosDir);
  // Check what can be wrong with the options before creating anything on disk.
  const defaultScenario = parseExec(`tui ${opts.scenario ?? 'demo-dma-engine'}`, scenariosDir).scenario!;
  const keys = new AuthorizedKeys(opts.authorizedKeysPath, log);
  keys.loadUsable(); // fail at start, not at the first login, when the file is missing or has no public key
  const hostKey = loadOrCreateHostKey(opts.hostKeyPath);
  if (hostKey.created) log('host-key-created', { file: hostKey.path, fingerprint: hostKey.fingerprint });
  const ink = await loadInk();
  await setColourLevel(opts.colorLevel ?? 2);
  const { createPort, mountTui } = await import('./tui-root.ts');

  const shared = new SharedSessions<Port>((file) => createPort(file));
  const sessionSlots = new Slots(limits.maxSessions);
  const perAddress = new KeyedSlots(limits.maxConnectionsPerAddress);
  const execsPerUser = new KeyedSlots(limits.maxExecsPerUser);
  const throttle = new AuthThrottle(limits.authFailuresPerMinute);
  /** Timers of accepted sockets, until ssh2 has read their banner / they have logged in. */
  const pending = new WeakMap<Socket, { banner: NodeJS.Timeout; login: NodeJS.Timeout }>();
  const sockets = new Set<Socket>();
  const live = new Set<LiveSession>();
  const connections = new Set<Connection>();
  let closing = false;

  const server = new Server({ hostKeys: [hostKey.pem], ident: 'dmadbg' }, (client: Connection, info) => {
    const remote = `${info.ip}:${info.port}`;
    const started = Date.now();
    let user: string | undefined;
    let userKey: string | undefined;
    const sock = (client as unknown as { _sock?: Socket })._sock;
    const timers = sock ? pending.get(sock) : undefined;
    if (timers) clearTimeout(timers.banner);
    if (closing) {
      log('refused', { remote, why: 'shutting down' });
      client.on('error', () => {});
      client.end();
      return;
    }
    connections.add(client);
    log('connect', { remote, client: info.header?.identRaw });
    try {
      (client as unknown as { setNoDelay(b: boolean): void }).setNoDelay(true); // ssh2 leaves Nagle on: 43 ms instead of 8 per key
    } catch {
      /* not a TCP socket */
    }
    client.on('authentication', createAuthHandler({
      keys,
      maxAttempts: limits.maxAuthAttempts,
      log,
      remote,
      onSuccess: (o) => {
        user = o.user;
        userKey = o.key;
        log('auth-ok', { remote, user: o.user, key: o.key });
      },
      onTooMany: () => setImmediate(() => client.end()),
      onFailure: () => throttle.fail(info.ip),
    }) as (ctx: AuthContext) => void);

    // A connection with no open session for the idle time is closed too.
    let open = 0;
    let idleConn: IdleTimer | undefined;
    const armIdle = () => {
      idleConn?.stop();
      idleConn = new IdleTimer(limits.idleTimeoutMs, () => {
        log('idle', { remote, user, why: 'no session' });
        client.end();
      });
    };
    const onGone = new Set<() => void>();
    const activity: ChannelActivity = {
      opened: () => {
        open++;
        idleConn?.stop();
      },
      closed: () => {
        if (--open === 0 && !closing && !gone) armIdle();
      },
      onGone: (fn) => void onGone.add(fn),
    };
    let gone = false;

    client.on('ready', () => {
      if (timers) clearTimeout(timers.login);
      armIdle();
      client.on('session', (accept) => {
        let session: Session;
        try {
          session = accept();
        } catch (e) {
          log('session-error', { remote, error: (e as Error).message });
          return;
        }
        handleSession(session, remote, user ?? '?', userKey ?? user ?? '?', () => (client as unknown as { _sock?: { writableLength?: number } })._sock?.writableLength ?? 0, activity);
      });
      // No port forwarding of any kind.
      client.on('tcpip', (_a, reject, i) => {
        log('refused', { remote, why: `tcpip forward to ${i.destIP}:${i.destPort}` });
        reject();
      });
      client.on('openssh.streamlocal', (_a, reject) => reject());
      client.on('request', (_accept, reject, name) => {
        log('refused', { remote, why: `global request ${name}` });
        reject?.();
      });
    });
    client.on('error', (e) => log('connection-error', { remote, error: e.message }));
    client.on('close', () => {
      gone = true;
      for (const fn of onGone) fn();
      idleConn?.stop();
      connections.delete(client);
      log('disconnect', { remote, user, seconds: ((Date.now() - started) / 1000).toFixed(1) });
    });
  });

  function handleSession(session: Session, remote: string, user: string, userKey: string, unsent: () => number, activity: ChannelActivity): void {
    let pty: PtyInfo | undefined;
    let streams: TtyStreams | undefined;
    let started = false;
    const guard = <A extends unknown[]>(what: string, fn: (...a: A) => void) => (...a: A) => {
      try {
        fn(...a);
      } catch (e) {
        log('session-error', { remote, user, in: what, error: (e as Error).message });
      }
    };
    session.on('pty', guard('pty', (accept, _reject, i: PseudoTtyInfo) => {
      pty = { ...clampSize(i.cols, i.rows), term: String(i.term ?? '').slice(0, 64) };
      accept?.();
    }));
    session.on('window-change', guard('window-change', (accept, _reject, i) => {
      // It can come before the shell: keep the size and apply it when the streams exist.
      const size = clampSize(i.cols, i.rows, pty);
      if (pty) pty = { ...pty, ...size };
      streams?.resize(size.cols, size.rows, size.exact);
      accept?.();
    }));
    session.on('env', (accept) => accept?.()); // ignored: nothing here reads the client's environment
    session.on('signal', (accept) => accept?.());
    for (const ev of ['subsystem', 'sftp', 'x11', 'auth-agent'] as const) {
      (session as unknown as NodeJS.EventEmitter).on(ev, (_a: unknown, reject?: () => void) => {
        log('refused', { remote, user, why: ev });
        reject?.();
      });
    }
    const begin = (accept: () => ServerChannel, reject: (() => void) | undefined, command: string | undefined) => {
      if (started) return void reject?.();
      started = true;
      const channel = accept();
      channel.on('error', () => {});
      const refuse = (msg: string, code: number) => {
        log('refused', { remote, user, command, why: msg });
        channel.stderr.write(`dmadbg: ${msg}\r\n`);
        channel.exit(code);
        channel.end();
      };
      if (closing) return refuse('the server is shutting down', EXEC_EXIT.error);
      if (!sessionSlots.take()) return refuse(`the server is full (${limits.maxSessions} sessions); try again later`, EXEC_EXIT.error);
      activity.opened();
      // ssh2 emits a server channel's 'close' only after its stdin has been read to the end,
      // which an exec that never reads stdin never does: release on whichever sign comes first.
      let released = false;
      const endHooks: (() => void)[] = [];
      const release = () => {
        if (released) return;
        released = true;
        sessionSlots.give();
        activity.closed();
        for (const fn of endHooks) fn();
      };
      const onEnd = (fn: () => void) => void endHooks.push(fn);
      channel.once('close', release);
      channel.once('finish', release);
      session.once('close', release);
      activity.onGone(release);
      let parsed;
      try {
        parsed = command === undefined ? { command: 'tui' as const, args: [], scenario: undefined } : parseExec(command, scenariosDir);
      } catch (e) {
        if (e instanceof ExecRefused) return refuse(e.message, e.exitCode);
        log('session-error', { remote, user, in: 'parse', error: (e as Error)?.message });
        return refuse('internal error (a dmadbg bug, please report it)', EXEC_EXIT.internal);
      }
      try {
        if (parsed.command === 'tui') {
          if (!pty) return refuse('the debugger needs a terminal: connect with ssh -t (headless: ssh HOST run SCENARIO --json)', EXEC_EXIT.error);
          return startTui(channel, pty, parsed.scenario ?? defaultScenario, remote, user, (s) => (streams = s), unsent, onEnd);
        }
        if (parsed.command !== 'list') {
          // Each run/validate is a child process (~100 MB): one user cannot start dozens.
          if (!execsPerUser.take(userKey)) return refuse(`you already run ${limits.maxExecsPerUser} commands on this server; wait for one to end`, EXEC_EXIT.error);
          onEnd(() => execsPerUser.give(userKey));
        }
        runExec(channel, parsed, command ?? '', remote, user, pty !== undefined, onEnd);
      } catch (e) {
        log('session-error', { remote, user, in: parsed.command, error: (e as Error)?.message });
        refuse(`internal error (a dmadbg bug, please report it): ${(e as Error)?.message}`, EXEC_EXIT.internal);
      }
    };
    session.on('shell', guard('shell', (accept, reject) => begin(accept, reject, undefined)));
    session.on('exec', guard('exec', (accept, reject, i) => begin(accept, reject, i.command)));
  }

  function startTui(channel: ServerChannel, pty: PtyInfo, file: string, remote: string, user: string, setStreams: (s: TtyStreams) => void, unsent: () => number, onEnd: (fn: () => void) => void): void {
    const t0 = Date.now();
    let member: Member<Port> | undefined;
    let mounted: Mounted | undefined;
    let finished = false;
    const self: LiveSession = { kind: 'tui', end: (reason) => finish(0, reason) };
    live.add(self);
    const idle = new IdleTimer(limits.idleTimeoutMs, () => finish(0, `closed after ${Math.round(limits.idleTimeoutMs / 60000)} min without input`));
    const streams = createTtyStreams(channel, pty, {
      onInput: () => idle.touch(),
      onInputError: (e) => {
        log('session-error', { remote, user, in: 'input', error: (e as Error)?.message ?? String(e) });
        finish(EXEC_EXIT.internal, `internal error (a dmadbg bug, please report it): ${(e as Error)?.message ?? e}`);
      },
      clearOnResize: false, // FrameStdout clears and redraws in full on resize
      onResize: (cols, rows) => mounted?.resize(cols, rows, streams.stdout.exact),
    });
    setStreams(streams);
    log('session', { remote, user, kind: 'tui', scenario: file, size: `${pty.cols}x${pty.rows}`, term: pty.term });

    function finish(code: number, reason?: string): void {
      if (finished) return;
      finished = true;
      live.delete(self);
      idle.stop();
      try {
        mounted?.unmount();
      } catch {
        /* already gone */
      }
      member?.leave();
      try {
        if (!channel.destroyed && channel.writable) {
          channel.write(LEAVE_SCREEN);
          if (reason) channel.stderr.write(`dmadbg: ${reason}\r\n`);
          channel.exit(code);
          channel.end();
        }
      } catch {
        /* the client went away */
      }
      streams.destroy();
      log('session-end', { remote, user, kind: 'tui', code, reason, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
    }

    channel.on('close', () => finish(0));
    onEnd(() => finish(0));
    shared.join(file, user).then(
      (m) => {
        member = m;
        if (finished) return void m.leave();
        try {
          // The alternate screen keeps the user's scrollback.
          streams.stdout.write(ENTER_SCREEN);
          mounted = mountTui(
            ink.render,
            m,
            {
              stdin: streams.stdin as unknown as NodeJS.ReadStream,
              stderr: streams.stderr as unknown as NodeJS.WriteStream,
              write: (s) => void streams.stdout.write(s),
              // Bytes the socket has not sent yet, plus what waits for the channel's window.
              congested: () => unsent() + streams.stdout.writableLength > CONGESTED_BYTES,
            },
            { cols: streams.stdout.columns, rows: streams.stdout.rows, exact: streams.stdout.exact },
          );
          mounted.exited.then(
            () => finish(0),
            (e: unknown) => finish(EXEC_EXIT.error, `the session ended with an error: ${(e as Error)?.message ?? e}`),
          );
        } catch (e) {
          log('session-error', { remote, user, in: 'render', error: (e as Error)?.message ?? String(e) });
          finish(EXEC_EXIT.internal, `internal error: ${(e as Error)?.message ?? e}`);
        }
      },
      (e: unknown) => finish(EXEC_EXIT.error, (e as Error)?.message?.split('\n')[0] ?? String(e)),
    );
  }

  function runExec(channel: ServerChannel, parsed: ReturnType<typeof parseExec>, command: string, remote: string, user: string, withPty: boolean, onEnd: (fn: () => void) => void): void {
    const t0 = Date.now();
    let handle: ExecHandle | undefined;
    let done = false;
    // `ssh -t host run ...`: the client's terminal is raw, so lines need CR LF (as a pty's ONLCR would do).
    const crlf = (d: string | Buffer) => String(d).replace(/\r?\n/g, '\r\n');
    const io = withPty
      ? {
          write: (d: string | Buffer) => channel.write(crlf(d)),
          once: (ev: 'drain', cb: () => void) => channel.once(ev, cb),
          stderr: { write: (d: string | Buffer) => channel.stderr.write(crlf(d)) },
          input: channel,
        }
      : { write: (d: string | Buffer) => channel.write(d), once: (ev: 'drain', cb: () => void) => channel.once(ev, cb), stderr: channel.stderr, input: channel };
    handle = startExec(parsed, io, { scenariosDir, timeoutMs: limits.execTimeoutMs });
    const self: LiveSession = {
      kind: 'exec',
      end: (reason) => {
        channel.stderr.write(`dmadbg: ${reason}\n`);
        handle?.kill();
      },
      done: handle.done,
    };
    live.add(self);
    log('session', { remote, user, kind: 'exec', command });
    const stop = () => {
      if (!done) handle?.kill();
    };
    channel.on('close', stop);
    onEnd(stop);
    handle.done.then((code) => {
      done = true;
      live.delete(self);
      log('session-end', { remote, user, kind: 'exec', command, code, seconds: ((Date.now() - t0) / 1000).toFixed(1) });
      try {
        if (!channel.destroyed) {
          channel.exit(code);
          channel.end();
        }
      } catch {
        /* the client went away */
      }
    });
  }

  server.on('error', (e: Error) => log('server-error', { error: e.message }));
  // Our own listener counts and times connections from accept, before ssh2 sees a banner:
  // a socket that never speaks must not hold a slot for ever.
  const tcp = createTcpServer((socket) => {
    const ip = socket.remoteAddress ?? '?';
    const remote = `${ip}:${socket.remotePort}`;
    socket.on('error', () => {});
    const why = closing
      ? 'shutting down'
      : sockets.size >= limits.maxConnections
        ? `${limits.maxConnections} connections open (the server's limit)`
        : throttle.blocked(ip)
          ? `too many failed logins from ${ip}; retry in ${throttle.waitSeconds(ip)} s`
          : !perAddress.take(ip)
            ? `more than ${limits.maxConnectionsPerAddress} connections from ${ip}`
            : undefined;
    if (why) {
      log('refused', { remote, why });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    const banner = setTimeout(() => {
      log('banner-timeout', { remote });
      socket.destroy();
    }, limits.bannerTimeoutMs);
    const login = setTimeout(() => {
      log('auth-timeout', { remote });
      socket.destroy();
    }, limits.authTimeoutMs);
    banner.unref();
    login.unref();
    pending.set(socket, { banner, login });
    socket.once('close', () => {
      clearTimeout(banner);
      clearTimeout(login);
      sockets.delete(socket);
      perAddress.give(ip);
    });
    server.injectSocket(socket);
  });
  tcp.on('error', (e: Error) => log('server-error', { error: e.message }));
  await new Promise<void>((res, rej) => {
    tcp.once('error', rej);
    tcp.listen(opts.port ?? 2222, host, () => {
      tcp.off('error', rej);
      res();
    });
  });
  const addr = tcp.address() as { port: number; address: string };
  log('listening', { host: addr.address, port: addr.port, fingerprint: hostKey.fingerprint, scenarios: scenariosDir });

  let closed: Promise<void> | undefined;
  return {
    host: addr.address,
    port: addr.port,
    hostKey,
    sessions: () => sessionSlots.inUse,
    sharedSessions: () => shared.count,
    close() {
      if (closed) return closed;
      closing = true;
      const ending = [...live];
      const listening = new Promise<void>((res) => {
        tcp.close(() => res());
        for (const s of ending) {
          try {
            s.end('the server is shutting down');
          } catch {
            /* keep closing the others */
          }
        }
        // Give the goodbyes a moment to leave, then drop the connections.
        setTimeout(() => {
          for (const c of connections) {
            try {
              c.end();
            } catch {
              /* gone */
            }
          }
          // Sockets still before their banner or login have nobody to say goodbye to.
          const live = new Set([...connections].map((c) => (c as unknown as { _sock?: Socket })._sock));
          for (const sk of sockets) if (!live.has(sk)) sk.destroy();
        }, 50).unref();
        setTimeout(() => {
          for (const c of connections) (c as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
          for (const sk of sockets) sk.destroy();
          res();
        }, 3000).unref();
      });
      // Wait for exec processes too, so none outlives the server (and each is reaped).
      const processes = Promise.all(ending.map((s) => s.done?.catch(() => {})));
      const cap = new Promise<void>((r) => setTimeout(r, 4000).unref());
      closed = Promise.race([Promise.all([listening, processes]).then(() => {}), cap]).then(() => log('closed', {}));
      return closed;
    },
  };
}
