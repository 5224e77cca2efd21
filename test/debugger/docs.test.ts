/**
 * docs/debugger.md is generated from the command table: without this check the reference
 * would drift from `help`. UPDATE_GOLDEN=1 rewrites it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { debuggerDoc } from '../../src/debugger/docs.ts';
import { ROOT } from '../helpers/scenario.ts';

it('docs/debugger.md matches the command table', () => {
  const file = join(ROOT, 'docs', 'debugger.md');
  const text = debuggerDoc();
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(readFileSync(file, 'utf8')).toBe(text);
});
