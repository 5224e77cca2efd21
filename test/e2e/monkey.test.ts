/**
 * A short monkey in a real pty: random keys (letters, digits, arrows, Tab, Enter, Esc, the
 * `:` and `/` prompts with random words and Unicode blanks, resizes) into the TUI, seeded.
 * Afterwards the TUI still answers a command and quits with status 0. A failure prints
 * the seed and the keys sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { intBelow, prngFromSeed } from '../../src/sim/core/prng.ts';
import { type Pty, spawnCli } from './pty.ts';

let p: Pty | undefined;
afterEach(() => p?.kill());

const SEED = Number(process.env.DMADBG_FUZZ_SEED ?? 7);
const KEYS = Number(process.env.DMADBG_MONKEY_KEYS ?? 400);
const EVERY = Number(process.env.DMADBG_MONKEY_EVERY ?? 25);

// No q / Ctrl-C / Ctrl-D / Ctrl-Z / Ctrl-\: the monkey tests staying up, not leaving.
const SINGLE = [...'sScrRbgfFjkhlnNGgG0123456789?/:+-<>[]{}.,=_xXwWtTpPiIdDeEmM '];
const SPECIAL = ['\t', '\r', '\x1b', '\x1b[A', '\x1b[B', '\x1b[C', '\x1b[D', '\x1b[5~', '\x1b[6~', '\x1b[H', '\x1b[F', '\x7f', '\x15', '\x17', '\x1b[Z'];
const WORDS = ['step', 'break fault', 'break kind=dma where len>=4096', 'info', 'info breakpoints', 'watch iova 0x40000000', 'goto 3', 'reverse-step', 'delete 1-99999999999', 'why', 'help', 'x/8w 0x40000000', 'bookmark a', 'continue'];
const BLANKS = ['\u00a0', '\u3000', '\u2028', '\ufeff', '\f', '\v', '\t'];

describe('keys Ink cannot name', () => {
  it('Esc [ 6 j (a CSI key with modifiers and an unknown final byte) is dropped, not a crash', async () => {
    // Ink 6.8 parses it as ctrl with no name and throws in useInput: the TUI exited 70.
    p = spawnCli(['tui', 'demo-dma-engine'], 100, 30);
    await p.waitFor(/seed 7 .*event 0 /);
    p.send('\x1b[6j');
    p.send('\x1b[1;5X');
    // Keys read in the same chunk as the bad one are dropped with it: press s until it steps.
    for (let i = 0; ; i++) {
      p.send('s');
      try {
        await p.waitFor(/seed 7 .*event [1-9]\d* /, 500);
        break;
      } catch (e) {
        if (i >= 20 || /exited/.test((e as Error).message)) throw e;
      }
    }
    p.send('q');
    expect((await p.exited).exitCode).toBe(0);
  });
});

describe('a monkey at the keyboard', () => {
  it(`${KEYS} random keys (seed ${SEED}) leave the TUI responsive`, { timeout: 120_000 }, async () => {
    const rng = prngFromSeed(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[intBelow(rng, xs.length)];
    const sent: string[] = [];
    p = spawnCli(['tui', 'demo-dma-engine'], 100, 30);
    await p.waitFor(/demo-dma-engine\s+seed 7/);
    let cols = 100, rows = 30;
    let exitedAfter: number | undefined;
    void p.exited.then(() => (exitedAfter = sent.length));
    try {
      for (let i = 0; i < KEYS; i++) {
        const r = intBelow(rng, 20);
        let k: string;
        if (r < 11) k = pick(SINGLE);
        else if (r < 16) k = pick(SPECIAL);
        else if (r < 18) k = `${pick([':', '/'])}${pick(WORDS)}${pick(BLANKS)}${pick(WORDS)}${pick(['\r', '\t', '\x1b'])}`;
        else if (r < 19) k = pick(BLANKS);
        else {
          cols = 40 + intBelow(rng, 120);
          rows = 10 + intBelow(rng, 40);
          sent.push(`<resize ${cols}x${rows}>`);
          p.resize(cols, rows);
          continue;
        }
        sent.push(JSON.stringify(k));
        p.send(k);
        // Let the TUI read now and then (keys coalesce either way, as over SSH), and check it is still there.
        if (i % EVERY === 0) {
          // No key here quits: an exit of any status is a failure (a dropped key once let
          // the process run out of work and exit 0).
          const gone = await Promise.race([p.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5))]);
          if (gone) throw new Error(`the TUI exited (status ${gone.exitCode}) within the last ${EVERY} keys`);
          await p.waitFor(/\S/, 10_000);
        }
      }
      // Whatever state it is in (a prompt, a running continue, help, a zoomed panel): get out, then ask.
      p.resize(100, 30);
      p.send('\x1b\x1b\x1b');
      await p.waitFor((ls) => ls.some((l) => /seed 7/.test(l)), 20_000);
      // An Esc read together with the next key is Alt+key: press ':' until the prompt opens.
      const openPrompt = async () => {
        for (let i = 0; ; i++) {
          p!.send(':');
          try {
            return await p!.waitFor((ls) => ls.some((l) => /^:$/.test(l.trimEnd())), 1000);
          } catch (e) {
            if (i >= 20 || /exited/.test((e as Error).message)) throw e;
            p!.send('\x1b');
          }
        }
      };
      // Two commands whose effect shows in the status bar whatever panel is zoomed.
      for (const n of [2, 3]) {
        await openPrompt();
        p.send(`goto @${n}\r`);
        await p.waitFor(new RegExp(`seed 7 .*event ${n} `), 20_000);
      }
      p.send('q');
      // A run still going asks first.
      const end = await Promise.race([p.exited, p.waitFor(/Quit anyway\? \(y\/n\)/, 20_000).then(() => undefined)]);
      if (!end) p.send('y');
      expect((await p.exited).exitCode).toBe(0);
    } catch (e) {
      const gone = await Promise.race([p.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
      const tail = p.raw().slice(-600).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      throw new Error(`monkey seed ${SEED} failed after ${sent.length} keys${gone ? ` (the TUI exited with ${gone.exitCode} after key ${exitedAfter}; its last output: ${JSON.stringify(tail)})` : ''}: ${(e as Error).message}\nkeys: ${sent.join(' ')}`);
    }
  });
});
