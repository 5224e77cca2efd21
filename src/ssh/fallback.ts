/**
 * Interim session port + view for SSH sessions, used until the debugger's Session and the
 * TUI's root component are wired in (see tui-root.ts). It drives a built machine directly:
 * `step [N]`, `continue` (in slices, so keys stay live), `interrupt`. Small on purpose.
 */
import React, { useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Built } from '../scenario/build/index.ts';
import type { CommandResult } from '../debugger/types.ts';
import { traceGet, type TraceRecord } from '../sim/core/trace.ts';
import { formatRecordRow } from '../cli/format.ts';
import type { Member, PortLike } from './shared-session.ts';

const h = React.createElement;

export interface MiniView {
  readonly name: string;
  readonly seed: number;
  readonly kernel: string;
  readonly events: number;
  readonly t: number;
  readonly traceCount: number;
  readonly state: 'stopped' | 'running' | 'ended';
}

export class BuiltPort implements PortLike {
  private readonly listeners = new Set<() => void>();
  private running = false;
  private stopRequested = false;
  private ended = false;

  constructor(readonly built: Built) {}

  view(): MiniView {
    const m = this.built.machine;
    return {
      name: this.built.scenario.name,
      seed: m.config.seed,
      kernel: m.config.kernel,
      events: m.state.events,
      t: m.state.now,
      traceCount: m.trace.count,
      state: this.running ? 'running' : this.ended ? 'ended' : 'stopped',
    };
  }

  records(from: number, to: number): TraceRecord[] {
    const n = this.built.machine.trace.count;
    const out: TraceRecord[] = [];
    for (let i = Math.max(0, from); i < Math.min(n, to); i++) out.push(traceGet(this.built.machine.trace, i));
    return out;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of [...this.listeners]) {
      try {
        fn();
      } catch {
        /* a listener's bug stays with its session */
      }
    }
  }

  interrupt(): void {
    if (this.running) this.stopRequested = true;
  }

  async exec(line: string): Promise<CommandResult> {
    const [cmd = '', arg] = line.trim().replace(/^:/, '').split(/\s+/);
    const m = this.built.machine;
    if (this.running && cmd !== 'interrupt') return { lines: [], error: { message: 'running: press Esc to interrupt' } };
    if (cmd === 's' || cmd === 'step') {
      const n = arg === undefined ? 1 : Number(arg);
      if (!Number.isSafeInteger(n) || n < 1) return { lines: [], error: { message: `step: expected a count, got "${arg}"` } };
      let i = 0;
      while (i < n && !this.ended) {
        if (!m.step()) this.ended = true;
        else i++;
      }
      const stop = { reason: this.ended ? ('end' as const) : ('step' as const), events: m.state.events, t: m.state.now };
      this.notify();
      return { lines: [], stop };
    }
    if (cmd === 'c' || cmd === 'continue') {
      this.running = true;
      this.stopRequested = false;
      this.notify();
      while (!this.ended && !this.stopRequested) {
        for (let i = 0; i < 2000 && !this.ended; i++) if (!m.step()) this.ended = true;
        this.notify();
        await new Promise<void>((r) => setImmediate(r));
      }
      this.running = false;
      const stop = { reason: this.ended ? ('end' as const) : ('interrupt' as const), events: m.state.events, t: m.state.now };
      this.notify();
      return { lines: [], stop };
    }
    if (cmd === 'interrupt') {
      this.interrupt();
      return { lines: [] };
    }
    return { lines: [], error: { message: `unknown command "${cmd}"`, hint: 'commands: step [N], continue, driver, who' } };
  }
}

export function FallbackApp({ member }: { member: Member<BuiltPort> }) {
  const port = member.port;
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [, tick] = useReducer((x: number) => x + 1, 0);
  const [cmdline, setCmdline] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState('');
  const [size, setSize] = useState({ cols: stdout.columns, rows: stdout.rows });
  useEffect(() => port.subscribe(tick), [port]);
  useEffect(() => {
    const onResize = () => setSize({ cols: stdout.columns, rows: stdout.rows });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);

  const run = (line: string) => {
    port.exec(line).then(
      (r) => setMessage(r.error ? `${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}` : r.lines.join('  ')),
      (e: unknown) => setMessage(`error: ${(e as Error).message}`),
    );
  };

  // Keys can arrive merged in one read (":driver\r" from a fast client), so walk them one
  // by one with the command line in a local variable.
  const cmdRef = React.useRef<string | undefined>(undefined);
  cmdRef.current = cmdline;
  useInput((input, key) => {
    let cmd = cmdRef.current;
    if (key.escape) {
      if (cmd !== undefined) cmd = undefined;
      else port.interrupt();
    } else if (key.backspace || key.delete) {
      if (cmd !== undefined) cmd = cmd.slice(0, -1);
    } else if (key.return) {
      if (cmd !== undefined && cmd.trim()) run(cmd);
      cmd = undefined;
    } else if (!key.ctrl && !key.meta) {
      for (const ch of input) {
        if (cmd !== undefined) {
          if (ch === '\r' || ch === '\n') {
            if (cmd.trim()) run(cmd);
            cmd = undefined;
          } else if (ch === '\x7f' || ch === '\b') cmd = cmd.slice(0, -1);
          else cmd += ch;
        } else if (ch === 'q') exit();
        else if (ch === 's') run('step');
        else if (ch === 'c') run('continue');
        else if (ch === ':') cmd = '';
      }
    }
    cmdRef.current = cmd;
    setCmdline(cmd);
  });

  const v = port.view();
  const rows = Math.max(1, size.rows - 4);
  const recs = port.records(v.traceCount - rows, v.traceCount);
  // createElement, not JSX: vitest compiles JSX for React's development runtime while the
  // server runs React in production mode (jsxDEV is then undefined).
  return h(
    Box,
    { flexDirection: 'column', height: Math.max(4, size.rows - 1), width: size.cols },
    h(Text, { inverse: true, wrap: 'truncate' }, ` ${v.name}  event ${v.events}  t=${v.t}ns  ${v.state}  ${size.cols}x${size.rows}  seed=${v.seed} kernel=${v.kernel} `),
    h(Box, { flexDirection: 'column', flexGrow: 1, overflow: 'hidden' }, ...recs.map((r) => h(Text, { key: r.seq, wrap: 'truncate' }, formatRecordRow(r)))),
    h(Text, { wrap: 'truncate', color: member.role === 'driver' ? 'green' : 'yellow' }, `[${member.status()}] ${message}`),
    h(Text, { dimColor: true, wrap: 'truncate' }, cmdline !== undefined ? `:${cmdline}` : 's step  c continue  Esc interrupt  : command (driver, who)  q quit'),
  );
}
