/**
 * docs/debugger.md is generated from the command table: without this check the reference
 * would drift from `help`. UPDATE_GOLDEN=1 rewrites it.
 */
import { join } from 'node:path';
import { it } from 'vitest';
import { debuggerDoc } from '../../src/debugger/docs.ts';
import { ROOT, expectGoldenFile } from '../helpers/scenario.ts';

it('docs/debugger.md matches the command table', () => {
  expectGoldenFile(join(ROOT, 'docs', 'debugger.md'), debuggerDoc());
});
