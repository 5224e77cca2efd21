/** Test helpers for the SSH server: keys in a temp dir, an in-process server, ssh2 clients, a headless screen. */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';
import x from '@xterm/headless';
import { startSshServer, type RunningServer, type ServeOptions } from '../../src/ssh/server.ts';

const { Client, utils } = ssh2;
const { Terminal } = x;

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCENARIOS = join(ROOT, 'scenarios');

export interface Keys {
  readonly dir: string;
  readonly authorizedKeys: string;
  readonly hostKey: string;
  readonly good: string;
  readonly other: string;
  cleanup(): void;
}

/**
 * An ed25519 pair both halves of which parse: ssh2's generator drops a leading zero byte of
 * the public key about once in 190 keys (a 31-byte key, "Malformed OpenSSH public key").
 */
export function keyPair(comment: string): { private: string; public: string } {
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(k.public) instanceof Error) && !(utils.parseKey(k.private) instanceof Error)) return k;
  }
}

export function makeKeys(): Keys {
  const dir = mkdtempSync(join(tmpdir(), 'dmadbg-ssh-'));
  const good = keyPair('good@test');
  const other = keyPair('other@test');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `# test keys\n${good.public}\n`);
  return {
    dir,
    authorizedKeys,
    hostKey: join(dir, 'data', 'host_key'),
    good: good.private,
    other: other.private,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startTestServer(keys: Keys, extra: Partial<ServeOptions> = {}): Promise<{ server: RunningServer; log: string[] }> {
  const log: string[] = [];
  const server = await startSshServer({
    host: '127.0.0.1',
    port: 0,
    hostKeyPath: keys.hostKey,
    authorizedKeysPath: keys.authorizedKeys,
    scenariosDir: SCENARIOS,
    log: (event, fields = {}) => log.push(`${event} ${JSON.stringify(fields)}`),
    ...extra,
  });
  return { server, log };
}

export function connect(port: number, cfg: Partial<ConnectConfig>): Promise<InstanceType<typeof Client>> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let ready = false;
    c.on('ready', () => {
      ready = true;
      resolve(c);
    });
    c.on('error', reject);
    c.on('close', () => {
      if (!ready) reject(new Error('connection closed before authentication succeeded'));
    });
    c.connect({ host: '127.0.0.1', port, username: 'tester', readyTimeout: 10_000, ...cfg });
  });
}

/** A client's shell (or `tui X` exec with a pty) rendered into a headless terminal. */
export class Screen {
  readonly term: InstanceType<typeof Terminal>;
  stream!: ClientChannel;
  exitCode: number | undefined;
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(cols: number, rows: number) {
    this.term = new Terminal({ cols, rows, allowProposedApi: true });
  }

  attach(stream: ClientChannel): this {
    this.stream = stream;
    stream.on('data', (d: Buffer) => this.term.write(d, () => this.poke()));
    stream.stderr.on('data', (d: Buffer) => this.term.write(d, () => this.poke()));
    stream.on('exit', (code: number) => (this.exitCode = code));
    stream.on('close', () => {
      this.closed = true;
      this.poke();
    });
    return this;
  }

  private poke(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  text(): string {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
    return out.join('\n');
  }

  async waitFor(re: RegExp, timeoutMs = 8000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const t = this.text();
      if (re.test(t)) return t;
      if (this.closed) throw new Error(`closed before ${re}; screen:\n${t}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${re}; screen:\n${t}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
    this.stream.setWindow(rows, cols, 0, 0);
  }

  send(s: string): void {
    this.stream.write(s);
  }
}

export function openTui(client: InstanceType<typeof Client>, cols: number, rows: number, command?: string): Promise<Screen> {
  const screen = new Screen(cols, rows);
  const pty = { term: 'xterm-256color', cols, rows };
  return new Promise((resolve, reject) => {
    const cb = (err: Error | undefined, stream: ClientChannel) => (err ? reject(err) : resolve(screen.attach(stream)));
    if (command) client.exec(command, { pty }, cb);
    else client.shell(pty, cb);
  });
}

/** Run an exec without a pty; collect stdout, stderr and the exit status. */
export function execCollect(client: InstanceType<typeof Client>, command: string, onStdout?: (chunk: string) => void): Promise<{ stdout: string; stderr: string; code: number | undefined }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | undefined;
      stream.on('data', (d: Buffer) => {
        stdout += d.toString();
        onStdout?.(d.toString());
      });
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      stream.on('exit', (c: number) => (code = c));
      stream.on('close', () => resolve({ stdout, stderr, code }));
    });
  });
}

/** The event counter in the header: "event N". */
export function eventCount(screen: string): number | undefined {
  const m = /event (\d+)/.exec(screen);
  return m ? Number(m[1]) : undefined;
}
