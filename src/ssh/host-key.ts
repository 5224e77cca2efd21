/**
 * The server's host key: generated once (ed25519), kept with mode 0600, so clients see the
 * same key on the next start and `known_hosts` keeps working.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';

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

/** Read the key at `path`, or create it (and its directory, 0700) when it does not exist. */
export function loadOrCreateHostKey(path: string): HostKey {
  let created = false;
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const pair = utils.generateKeyPairSync('ed25519', { comment: 'dmadbg host key' });
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
  const key = utils.parseKey(pem);
  if (key instanceof Error || Array.isArray(key)) throw new HostKeyError(`${path}: not a private key (${key instanceof Error ? key.message : 'several keys'})`);
  if (!key.isPrivateKey()) throw new HostKeyError(`${path}: is a public key; the host key must be the private key`);
  // Tighten a key someone made readable by others (sshd refuses those; we repair).
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    /* best effort */
  }
  return { path, pem, created, fingerprint: fingerprint(key.getPublicSSH()) };
}
