// Goldens are strict: a golden that is missing (renamed, never committed) fails the test
// that asks for it, instead of being written and passing.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, expectGolden } from './helpers/scenario.ts';

describe.skipIf(process.env.UPDATE_GOLDEN)('golden files', () => {
  it('a missing golden fails and is not written', () => {
    const name = 'no-such-golden.seed-0.jsonl';
    expect(() => expectGolden(name, ['{"seq":0}'])).toThrow(/golden test\/golden\/no-such-golden\.seed-0\.jsonl is missing: run UPDATE_GOLDEN=1/);
    expect(existsSync(join(ROOT, 'test', 'golden', name))).toBe(false);
  });

  it('a present golden compares byte for byte', () => {
    expect(() => expectGolden('demo-dma-engine.seed-7.jsonl', ['{}'])).toThrow();
  });
});
