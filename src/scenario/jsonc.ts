/**
 * Scenario files may carry comments (JSONC, as tsconfig.json and VS Code settings do):
 * `// to the end of the line` and `/* ... *\/`. `dmadbg new` writes them to explain each
 * field. They are blanked out before JSON.parse, each comment character replaced by a
 * space (line breaks kept), so every offset, line and column a later error names is the
 * one in the file as written. Trailing commas stay errors: the text is JSON otherwise.
 */

export interface Uncommented {
  /** The text with every comment blanked, the same length as the input. */
  readonly text: string;
  /** Offset of a block comment that never ends, if any. */
  readonly unterminated?: number;
}

export function stripComments(src: string): Uncommented {
  // Most files have no comment at all: no copy.
  if (!src.includes('/')) return { text: src };
  let out = '';
  let from = 0;
  let i = 0;
  const blank = (a: number, b: number) => src.slice(a, b).replace(/[^\n\r]/g, ' ');
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote (a comment marker inside it is text).
      i++;
      while (i < src.length && src.charCodeAt(i) !== 0x22 && src.charCodeAt(i) !== 0x0a) i += src.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
      continue;
    }
    if (c === 0x2f && src.charCodeAt(i + 1) === 0x2f) {
      let end = src.indexOf('\n', i);
      if (end < 0) end = src.length;
      out += src.slice(from, i) + blank(i, end);
      from = i = end;
      continue;
    }
    if (c === 0x2f && src.charCodeAt(i + 1) === 0x2a) {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) return { text: out + src.slice(from), unterminated: i };
      out += src.slice(from, i) + blank(i, close + 2);
      from = i = close + 2;
      continue;
    }
    i++;
  }
  return { text: from === 0 ? src : out + src.slice(from) };
}

/** JSON.parse of a JSONC text; throws SyntaxError like JSON.parse. */
export function parseJsonc(src: string): unknown {
  const u = stripComments(src);
  if (u.unterminated !== undefined) throw new SyntaxError('a /* comment is never closed');
  return JSON.parse(u.text);
}
