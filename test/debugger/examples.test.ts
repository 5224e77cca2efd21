/**
 * Every example in docs/debugger.md (the `Examples:` of each command's help, the same text
 * `help COMMAND` prints) runs without an error. Each runs in a fresh session on the
 * tutorial's scenario, stopped at the faulting access with a few breakpoints and a bookmark
 * set, as a user following the tutorial would have it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build, ROOT } from '../helpers/scenario.ts';

/** The example lines of every `Examples:` block in the doc's code blocks. */
function docExamples(text: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (/^ {2}Examples:$/.test(line)) inBlock = true;
    else if (inBlock && /^ {4}\S/.test(line)) out.push(line.trim());
    else inBlock = false;
  }
  return out;
}

const SETUP = ['break fault', 'bookmark probe @1', 'continue', 'break inval', 'break notifier'];

/** `export` examples write into memory: the bytes are produced, no file is left behind. */
const writeExport = (path: string, produce: (write: (b: Uint8Array) => void) => void) => {
  let n = 0;
  produce((b) => (n += b.length));
  return n > 0 ? { path } : { error: 'nothing written' };
};

function atTheFault(): Session {
  const s = new Session(build('mt8183-bus-sel'), { writeExport });
  for (const l of SETUP) expect(s.exec(l).error, l).toBeUndefined();
  expect(s.lastStop).toMatchObject({ reason: 'breakpoint', record: { kind: 'dma', result: 'fault' } });
  expect(s.points.all()).toHaveLength(3);
  return s;
}

const examples = docExamples(readFileSync(join(ROOT, 'docs', 'debugger.md'), 'utf8'));

describe('the examples of docs/debugger.md and help', () => {
  it('are the examples of the command table, every command has some', () => {
    const table = Session.commands().flatMap((c) => c.examples);
    expect(examples).toEqual(table);
    for (const c of Session.commands()) expect(c.examples.length, c.name).toBeGreaterThan(0);
    // `help COMMAND` prints them too.
    const s = new Session(build('demo-dma-engine'));
    for (const c of Session.commands()) {
      const lines = s.exec(`help ${c.name}`).lines;
      for (const e of c.examples) expect(lines, `help ${c.name}`).toContain(`    ${e}`);
    }
  });

  for (const e of examples) {
    it(e, () => {
      const s = atTheFault();
      const r = s.exec(e);
      expect(r.error, `${e}: ${r.lines.join('\n')}`).toBeUndefined();
      expect(r.stop?.reason).not.toBe('error');
    });
  }
});
