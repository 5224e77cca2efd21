import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { parseAuthorizedKeys } from '../../src/ssh/auth.ts';
import { loadOrCreateHostKey } from '../../src/ssh/host-key.ts';
import type { RunningServer } from '../../src/ssh/server.ts';
import { connect, execCollect, keyPair, makeKeys, startTestServer, type Keys } from './helpers.ts';

describe('ssh auth', () => {
  let keys: Keys;
  let server: RunningServer;
  let log: string[];

  beforeAll(async () => {
    keys = makeKeys();
    ({ server, log } = await startTestServer(keys, { limits: { maxAuthAttempts: 3 } }));
  });
  afterAll(async () => {
    await server?.close();
    keys?.cleanup();
  });

  it('lets a key from authorized_keys in', async () => {
    const c = await connect(server.port, { privateKey: keys.good });
    const r = await execCollect(c, 'list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo-dma-engine/);
    c.end();
    expect(log.some((l) => l.startsWith('auth-ok'))).toBe(true);
  });

  it('refuses an unknown key', async () => {
    await expect(connect(server.port, { privateKey: keys.other })).rejects.toThrow(/authentication methods failed/);
    expect(log.some((l) => l.startsWith('auth-failed') && l.includes('unknown ssh-ed25519 key'))).toBe(true);
  });

  it('refuses a password, and keyboard-interactive', async () => {
    await expect(connect(server.port, { password: 'hunter2' })).rejects.toThrow(/authentication methods failed/);
    await expect(connect(server.port, { tryKeyboard: true, password: undefined })).rejects.toThrow(/authentication methods failed/);
    expect(log.some((l) => l.startsWith('auth-failed') && l.includes('"method":"password"'))).toBe(true);
  });

  it('closes a connection after too many failed attempts', async () => {
    const before = log.filter((l) => l.startsWith('auth-limit')).length;
    let tries = 0;
    const err = await connect(server.port, {
      authHandler: (_methods, _partial, next) => {
        tries++;
        next({ type: 'password', username: 'tester', password: `guess${tries}` } as never);
      },
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(tries).toBeLessThanOrEqual(4);
    expect(log.filter((l) => l.startsWith('auth-limit')).length).toBe(before + 1);
  });

  it('keeps the host key across restarts, mode 0600', async () => {
    expect(statSync(keys.hostKey).mode & 0o777).toBe(0o600);
    const again = loadOrCreateHostKey(keys.hostKey);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(server.hostKey.fingerprint);
    expect(readFileSync(keys.hostKey, 'utf8')).toContain('OPENSSH PRIVATE KEY');
  });

  it('re-reads authorized_keys when it changes', async () => {
    const other = ssh2.utils.parseKey(keys.other);
    if (other instanceof Error || Array.isArray(other)) throw new Error('bad test key');
    const line = `${other.type} ${other.getPublicSSH().toString('base64')} other@test`;
    const old = readFileSync(keys.authorizedKeys, 'utf8');
    writeFileSync(keys.authorizedKeys, old + line + '\n');
    try {
      const c = await connect(server.port, { privateKey: keys.other });
      c.end();
    } finally {
      writeFileSync(keys.authorizedKeys, old + '\n');
    }
  });
});

describe('authorized_keys parsing', () => {
  it('skips comments, options and junk, with a reason per line', () => {
    const k = keyPair('a@b');
    const r = parseAuthorizedKeys(`# c\n\n${k.public}\ncommand="x" ${k.public}\nssh-ed25519 notbase64!!\n`);
    expect(r.keys).toHaveLength(1);
    expect(r.keys[0].comment).toBe('a@b');
    expect(r.skipped).toHaveLength(2);
    expect(r.skipped[0]).toMatch(/line 4: options/);
  });
});
