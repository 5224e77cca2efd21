/**
 * The server's host key: generated once (ed25519), kept with mode 0600, so clients see the
 * same key on the next start and `known_hosts` keeps working.
 */
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { makeDirs } from '../store/atomic.ts';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';

const { utils } = ssh2;

/** $DMADBG_DATA_DIR, else $XDG_DATA_HOME/dmadbg, else ~/.local/share/dmadbg. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DMADBG_DATA_DIR) return env.DMADBG_DATA_DIR;
  const xdg = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'dmadbg');
}

export function defaultHostKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'ssh_host_ed25519_key');
}

export interface HostKey {
  readonly path: string;
  readonly pem: string;
  readonly created: boolean;
  /** `SHA256:...` as OpenSSH prints it. */
  readonly fingerprint: string;
}

export class HostKeyError extends Error {}

export function fingerprint(publicSSH: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(publicSSH).digest('base64').replace(/=+$/, '');
}

type Generate = () => { private: string; public: string };
const generateEd25519: Generate = () => utils.generateKeyPairSync('ed25519', { comment: 'dmadbg host key' });

/**
 * A private key that parses and signs what its public half verifies: ssh2's ed25519
 * generator writes a malformed key about once in 150 runs, and a saved bad key would
 * stop every later start.
 */
export function usableKey(pem: string): ParsedKey | string {
  const key = utils.parseKey(pem);
  if (key instanceof Error) return key.message;
  if (Array.isArray(key)) return 'several keys in one file';
  if (!key.isPrivateKey()) return 'a public key; the host key must be the private key';
  try {
    const data = Buffer.from('dmadbg host key check');
    const sig = key.sign(data);
    if (sig instanceof Error) return `cannot sign with it (${sig.message})`;
    const pub = utils.parseKey(key.getPublicSSH());
    if (pub instanceof Error || Array.isArray(pub) || pub.verify(data, sig) !== true) return 'its signature does not verify';
  } catch (e) {
    return `cannot sign with it (${(e as Error).message})`;
  }
  return key;
}

/** Read the key at `path`, or create it (and its directory, 0700) when it does not exist. */
export function loadOrCreateHostKey(path: string, generate: Generate = generateEd25519): HostKey {
  let created = false;
  if (!existsSync(path)) {
    try {
      makeDirs(dirname(path), 0o700); // not mkdirSync's recursive mode: it never returns under /proc
    } catch (e) {
      throw new HostKeyError(`cannot create ${dirname(path)} for the host key: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let pair: ReturnType<Generate> | undefined;
    for (let tries = 0; tries < 5 && !pair; tries++) {
      const p = generate();
      if (typeof usableKey(p.private) !== 'string') pair = p;
    }
    if (!pair) throw new HostKeyError(`cannot generate a working host key for ${path} (5 tries); pass --host-key with one made by ssh-keygen -t ed25519`);
    // 'wx': never overwrite a key another process wrote in the meantime.
    try {
      writeFileSync(path, pair.private, { mode: 0o600, flag: 'wx' });
      writeFileSync(path + '.pub', pair.public + '\n', { mode: 0o644 });
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new HostKeyError(`cannot write host key ${path}: ${(e as Error).message}`);
    }
  }
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HostKeyError(`cannot read host key ${path}: ${(e as Error).message}`);
  }
  const key = usableKey(pem);
  if (typeof key === 'string') {
    if (key.startsWith('a public key')) throw new HostKeyError(`host key ${path} is ${key}`);
    throw new HostKeyError(
      `host key ${path} is unusable: ${key}. Delete it (and ${path}.pub) to have a new one generated at the next start; clients will then warn that the host key changed`,
    );
  }
  // Tighten a key someone made readable by others (sshd refuses those; we repair).
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    /* best effort */
  }
  return { path, pem, created, fingerprint: fingerprint(key.getPublicSSH()) };
}
