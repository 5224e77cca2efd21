/**
 * A block of pre-styled rows (term/style.ts) as one Ink node. Ink lays out and measures a
 * constant block of spaces (so its module-level measureText / wrapText caches, which keep
 * every distinct string forever, see one entry per size), and a <Transform> swaps each
 * line for its row when the frame is written. A panel body is one node instead of a
 * <Text> per row and per colour.
 */
import React, { memo, useCallback } from 'react';
import { Transform } from 'ink';

const blocks = new Map<string, string>();

/** `height` lines of `width` spaces (cached: a handful of sizes per session). */
function blankBlock(width: number, height: number): string {
  const key = `${width}x${height}`;
  let b = blocks.get(key);
  if (b === undefined) {
    b = Array.from({ length: height }, () => ' '.repeat(width)).join('\n');
    if (blocks.size > 256) blocks.clear();
    blocks.set(key, b);
  }
  return b;
}

export interface RowsProps {
  /** Exactly `width` columns each; missing rows are drawn blank. */
  readonly lines: readonly string[];
  readonly width: number;
  readonly height: number;
}

export const Rows = memo(function Rows({ lines, width, height }: RowsProps) {
  const blank = ' '.repeat(Math.max(0, width));
  const transform = useCallback((_line: string, i: number) => lines[i] ?? blank, [lines, blank]);
  if (width <= 0 || height <= 0) return null;
  return <Transform transform={transform}>{blankBlock(width, height)}</Transform>;
});
