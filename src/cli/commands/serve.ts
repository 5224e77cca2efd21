import type { Argv, ArgumentsCamelCase } from 'yargs';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { intOption } from '../args.ts';
import { SCENARIOS_DIR } from '../paths.ts';
import { EXIT, UsageError } from '../output.ts';

interface ServeArgs {
  ssh?: boolean;
  host: string;
  port: string;
  hostKey?: string;
  authorizedKeys?: string;
  scenario?: string;
  scenariosDir?: string;
  maxSessions?: string;
  idleTimeout?: string;
}

export const serveCommand = {
  command: 'serve',
  describe: 'Serve the debugger over SSH (public-key auth; each ssh -t session gets the TUI)',
  builder: (y: Argv) =>
    y
      .option('ssh', { type: 'boolean', describe: 'run the embedded SSH server (the only kind for now)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (0.0.0.0 for every interface)' })
      .option('port', { type: 'string', default: '2222', describe: 'TCP port (0 picks a free one)' })
      .option('host-key', { type: 'string', describe: 'host key file, created on first start (default: $XDG_DATA_HOME/dmadbg/ssh_host_ed25519_key)' })
      .option('authorized-keys', { type: 'string', describe: 'public keys allowed to log in (default: ~/.ssh/authorized_keys)' })
      .option('scenario', { type: 'string', describe: 'scenario a plain `ssh -t` opens (default: demo-dma-engine); a file path alone also serves its directory' })
      .option('scenarios-dir', { type: 'string', describe: 'the only directory scenarios are read from (default: the built-in scenarios; --scenario must be inside it)' })
      .option('max-sessions', { type: 'string', describe: 'open sessions at most (default 32)' })
      .option('idle-timeout', { type: 'string', describe: 'minutes without input before a session is closed (default 30, 0 = never)' })
      .example('$0 serve --ssh --port 2222', 'then: ssh -t -p 2222 localhost tui demo-dma-engine'),
  handler: async (argv: ArgumentsCamelCase<ServeArgs>) => {
    if (!argv.ssh) throw new UsageError('serve: only --ssh is supported (dmadbg serve --ssh [--port 2222])');
    const port = intOption('port', argv.port, { max: 65535 })!;
    const maxSessions = intOption('max-sessions', argv.maxSessions, { min: 1, max: 10_000 });
    const idleMin = intOption('idle-timeout', argv.idleTimeout, { max: 7 * 24 * 60 });
    const { defaultAuthorizedKeysPath, AuthorizedKeysError } = await import('../../ssh/auth.ts');
    const { defaultHostKeyPath, HostKeyError } = await import('../../ssh/host-key.ts');
    const authorizedKeysPath = argv.authorizedKeys ?? defaultAuthorizedKeysPath();
    if (!existsSync(authorizedKeysPath)) {
      throw new UsageError(`serve: no authorized keys file ${authorizedKeysPath} (pass --authorized-keys FILE with the public keys that may log in)`);
    }
    // `--scenario path/to/x.json` alone serves that file's directory.
    const scenarioFile = argv.scenario !== undefined && !argv.scenariosDir && existsSync(argv.scenario) && statSync(argv.scenario).isFile() ? argv.scenario : undefined;
    const scenariosDir = argv.scenariosDir ?? (scenarioFile ? dirname(resolve(scenarioFile)) : SCENARIOS_DIR);
    if (!existsSync(scenariosDir)) throw new UsageError(`serve: --scenarios-dir ${scenariosDir} does not exist`);
    process.env.NODE_ENV = 'production'; // React's development build is ~3x slower and keeps memory per render
    const { startSshServer } = await import('../../ssh/server.ts');
    const { createLogger } = await import('../../ssh/log.ts');
    const { ExecRefused } = await import('../../ssh/exec.ts');
    // The log reader may go away (`serve ... 2>&1 | head`, a dead supervisor): keep serving,
    // stop logging. Without this listener each failed write is an uncaught EPIPE whose
    // logging fails again: a busy loop.
    process.stderr.on('error', () => {});
    const log = createLogger();
    // Last line of defence: a bug in one session must not take the others down (these
    // replace the CLI's exit-70 handlers).
    process.removeAllListeners('uncaughtException');
    process.removeAllListeners('unhandledRejection');
    process.on('uncaughtException', (e) => log('internal-error', { error: e?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(e) }));
    process.on('unhandledRejection', (e) => log('internal-error', { error: (e as Error)?.message ?? String(e) }));
    let server;
    try {
      server = await startSshServer({
        host: argv.host,
        port,
        hostKeyPath: argv.hostKey ?? defaultHostKeyPath(),
        authorizedKeysPath,
        scenariosDir,
        scenario: scenarioFile ? basename(scenarioFile) : argv.scenario,
        limits: {
          ...(maxSessions !== undefined ? { maxSessions } : {}),
          ...(idleMin !== undefined ? { idleTimeoutMs: idleMin * 60_000 } : {}),
        },
        log,
      });
    } catch (e) {
      if (e instanceof HostKeyError || e instanceof ExecRefused || e instanceof AuthorizedKeysError) throw new UsageError(`serve: ${e.message}`, EXIT.error);
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new UsageError(`serve: ${argv.host}:${port} is in use (pick another --port)`, EXIT.error);
      if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') throw new UsageError(`serve: cannot listen on ${argv.host}:${port} (${err.code})`, EXIT.error);
      if (err.code === 'ENOENT' || err.code === 'EACCES') throw new UsageError(`serve: ${err.message}`, EXIT.error);
      throw e;
    }
    process.stderr.write(`dmadbg: serving on ${server.host}:${server.port}; connect with: ssh -t -p ${server.port} ${server.host} tui [SCENARIO]\n`);
    await new Promise<void>((resolve) => {
      const stop = (sig: string) => {
        log('signal', { signal: sig });
        server.close().then(resolve, resolve);
        // A second signal means "now".
        process.once(sig as NodeJS.Signals, () => process.exit(EXIT.error));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    // Ink and ssh2 leave nothing that should keep us alive; make sure of it.
    setTimeout(() => process.exit(EXIT.ok), 500).unref();
    return EXIT.ok;
  },
};
