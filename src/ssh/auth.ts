/**
 * Public-key authentication against an authorized_keys file. Password, keyboard-interactive,
 * hostbased and "none" are refused; every refusal tells the client that only publickey is on
 * offer. The file is re-read when it changes, so keys can be added without a restart.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import ssh2, { type AuthContext, type ParsedKey } from 'ssh2';
import type { Logger } from './log.ts';
import { fingerprint } from './host-key.ts';

const { utils } = ssh2;

export function defaultAuthorizedKeysPath(): string {
  return join(homedir(), '.ssh', 'authorized_keys');
}

export interface AuthorizedKey {
  readonly key: ParsedKey;
  readonly type: string;
  readonly blob: Buffer;
  readonly comment: string;
  readonly line: number;
}

export interface ParseResult {
  readonly keys: AuthorizedKey[];
  /** One message per line that was skipped, as `line N: why`. */
  readonly skipped: string[];
}

const KEY_TYPE = /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;

/** Parse authorized_keys text. Lines with options (from=, command=, restrict...) are skipped: we cannot honour them. */
export function parseAuthorizedKeys(text: string): ParseResult {
  const keys: AuthorizedKey[] = [];
  const skipped: string[] = [];
  let pem: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    // A PEM block (a private key passed by mistake) is one complaint, not one per line.
    if (pem !== undefined) {
      if (/^-----END /.test(line)) pem = undefined;
      return;
    }
    const begin = /^-----BEGIN (.*)-----$/.exec(line);
    if (begin) {
      pem = begin[1];
      skipped.push(`line ${i + 1}: ${/PRIVATE KEY/.test(begin[1]) ? 'a private key, not a public one (the .pub file is the one to give)' : `a ${begin[1]} block, not an authorized_keys line`}`);
      return;
    }
    if (!line || line.startsWith('#')) return;
    const first = line.split(/\s+/, 1)[0];
    if (!KEY_TYPE.test(first)) {
      skipped.push(`line ${i + 1}: options before the key are not supported (the line is ignored)`);
      return;
    }
    const parsed = utils.parseKey(line);
    if (parsed instanceof Error || Array.isArray(parsed)) {
      skipped.push(`line ${i + 1}: ${parsed instanceof Error ? parsed.message : 'not one key'}`);
      return;
    }
    if (parsed.isPrivateKey()) {
      skipped.push(`line ${i + 1}: a private key (the line is ignored)`);
      return;
    }
    keys.push({ key: parsed, type: parsed.type, blob: parsed.getPublicSSH(), comment: parsed.comment, line: i + 1 });
  });
  return { keys, skipped };
}

export class AuthorizedKeysError extends Error {}

/** The authorized keys, re-read when the file's mtime or size changes. */
export class AuthorizedKeys {
  private cache?: { mtimeMs: number; size: number; result: ParseResult };

  constructor(readonly path: string, private readonly log?: Logger) {}

  /** Throws when the file cannot be read (so `serve` can refuse to start without keys). */
  load(): ParseResult {
    const st = statSync(this.path);
    if (this.cache && this.cache.mtimeMs === st.mtimeMs && this.cache.size === st.size) return this.cache.result;
    const result = parseAuthorizedKeys(readFileSync(this.path, 'utf8'));
    // A file with no key at all is refused with the reasons in one line (loadUsable); no flood of warnings.
    if (result.keys.length) for (const s of result.skipped) this.log?.('authorized-keys', { file: this.path, warning: s });
    this.cache = { mtimeMs: st.mtimeMs, size: st.size, result };
    return result;
  }

  /**
   * load() at start: a file with no usable public key (empty, only comments, a private key
   * passed by mistake) would leave a server nobody can log in to, so it is refused in one
   * line naming why each line was skipped.
   */
  loadUsable(): ParseResult {
    const r = this.load();
    if (r.keys.length === 0) {
      const why = r.skipped.length ? ` (${r.skipped.slice(0, 3).join('; ')}${r.skipped.length > 3 ? '; ...' : ''})` : ' (the file has no key lines)';
      throw new AuthorizedKeysError(`${this.path}: no usable public key${why}; pass the public keys that may log in, e.g. ~/.ssh/id_ed25519.pub`);
    }
    return r;
  }

  /** Like load(), but an unreadable file means "no keys" (logged) instead of a throw. */
  current(): AuthorizedKey[] {
    try {
      return this.load().keys;
    } catch (e) {
      this.log?.('authorized-keys', { file: this.path, error: (e as Error).message });
      return [];
    }
  }

  find(algo: string, data: Buffer): AuthorizedKey | undefined {
    let found: AuthorizedKey | undefined;
    for (const k of this.current()) {
      // Compare every candidate of the right length so the time does not depend on the match position.
      const same = k.type === algo && k.blob.length === data.length && timingSafeEqual(k.blob, data);
      if (same && !found) found = k;
    }
    return found;
  }
}

export interface AuthOutcome {
  readonly user: string;
  readonly key: string;
}

/**
 * An `authentication` handler for one connection. Calls onSuccess once a signed publickey
 * request verifies, onTooMany when the attempt limit is passed (the caller closes the connection).
 */
export function createAuthHandler(opts: {
  keys: AuthorizedKeys;
  maxAttempts: number;
  log: Logger;
  remote: string;
  onSuccess: (o: AuthOutcome) => void;
  onTooMany: () => void;
  /** Called with every counted failure; true means the address is throttled: stop here. */
  onFailure?: () => boolean;
}): (ctx: AuthContext) => void {
  let failures = 0;
  let cutOff = false;
  const refuse = (ctx: AuthContext, why: string | undefined) => {
    if (cutOff) return void ctx.reject([]);
    failures++;
    if (why) opts.log('auth-failed', { remote: opts.remote, user: ctx.username, method: ctx.method, why, attempt: failures });
    const throttled = opts.onFailure?.() ?? false;
    if (failures >= opts.maxAttempts || throttled) {
      cutOff = true;
      opts.log(throttled ? 'auth-throttled' : 'auth-limit', { remote: opts.remote, user: ctx.username, attempts: failures });
      ctx.reject([]);
      opts.onTooMany();
      return;
    }
    ctx.reject(['publickey']);
  };
  return (ctx) => {
    try {
      if (cutOff) return void ctx.reject([]);
      if (ctx.method === 'none') {
        // OpenSSH asks "none" first to learn the methods: not a failure, and not logged.
        ctx.reject(['publickey']);
        return;
      }
      if (ctx.method !== 'publickey') {
        refuse(ctx, `${ctx.method} is not accepted (publickey only)`);
        return;
      }
      const match = opts.keys.find(ctx.key.algo, ctx.key.data);
      if (!match) {
        refuse(ctx, `unknown ${ctx.key.algo} key ${fingerprint(ctx.key.data)}`);
        return;
      }
      if (!ctx.signature || !ctx.blob) {
        // The client asks whether this key would do (PK_OK); the signed request follows.
        ctx.accept();
        return;
      }
      if (match.key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        refuse(ctx, `bad signature for ${fingerprint(ctx.key.data)}`);
        return;
      }
      opts.onSuccess({ user: ctx.username, key: `${match.type} ${fingerprint(match.blob)}${match.comment ? ` (${match.comment})` : ''}` });
      ctx.accept();
    } catch (e) {
      opts.log('auth-error', { remote: opts.remote, error: (e as Error).message });
      try {
        ctx.reject(['publickey']);
      } catch {
        /* the connection is gone */
      }
    }
  };
}
