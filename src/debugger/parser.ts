/**
 * The command language's lexer: words with their columns (for caret errors), double-quoted
 * strings with \" and \\ escapes, `;` separating commands on one line, `#` comments.
 */
export interface Token {
  readonly text: string;
  /** 0-based column of the token's first character in the line. */
  readonly col: number;
  readonly quoted: boolean;
}

/** A mistake in a command line, pointing at a column. */
export class ParseError extends Error {
  constructor(message: string, readonly column: number, readonly hint?: string) {
    super(message);
  }
}

/**
 * Blanks between words: every character JavaScript's `\s` matches (U+00A0, U+3000, U+2028,
 * U+FEFF, \f, \v, ...), so the skip below and the end of a word agree on every input.
 */
const BLANK = /\s/;
export const isBlank = (c: string): boolean => BLANK.test(c);

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '#' && (i === 0 || isBlank(line[i - 1]))) break;
    if (c === '"') {
      const col = i++;
      let s = '';
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        s += line[i++];
      }
      if (i >= line.length) throw new ParseError('unterminated string', col, 'close it with "');
      i++;
      out.push({ text: s, col, quoted: true });
      continue;
    }
    // c is neither a blank nor a quote, so the word has at least one character: i always advances.
    const col = i++;
    while (i < line.length && !isBlank(line[i]) && line[i] !== '"') i++;
    out.push({ text: line.slice(col, i), col, quoted: false });
  }
  return out;
}

/**
 * The line with every run of blanks outside double quotes made one space, trimmed: what
 * a breakpoint list shows and the workspace saves (a \v or U+2028 typed there would
 * otherwise reach the terminal). Quoted text is kept as typed.
 */
export function normalizeBlanks(line: string): string {
  let out = '';
  let inQ = false;
  let gap = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (!inQ && isBlank(c)) {
      gap = out !== '';
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    out += c;
    if (c === '\\' && inQ && i + 1 < line.length) out += line[++i];
    else if (c === '"') inQ = !inQ;
  }
  return out;
}

/** Split a line on `;` outside quotes, keeping each part's offset for columns. */
export function splitCommands(line: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let start = 0;
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inQ) i++;
    else if (c === '"') inQ = !inQ;
    else if (c === ';' && !inQ) {
      parts.push({ text: line.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  parts.push({ text: line.slice(start), offset: start });
  return parts;
}

/** "key=value" -> [key, value]; undefined for a bare word. */
export function keyValue(t: Token): [string, string] | undefined {
  if (t.quoted) return undefined;
  const eq = t.text.indexOf('=');
  if (eq <= 0 || '<>!'.includes(t.text[eq - 1])) return undefined;
  return [t.text.slice(0, eq), t.text.slice(eq + 1)];
}

/** The error as console lines: the line, a caret under the column, the message. */
export function caretLines(line: string, e: { message: string; column?: number; hint?: string }): string[] {
  const out: string[] = [];
  if (e.column !== undefined) out.push(line, ' '.repeat(Math.max(0, e.column)) + '^');
  out.push(`error: ${e.message}`);
  if (e.hint) out.push(`hint: ${e.hint}`);
  return out;
}
