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

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) break;
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
    const col = i;
    while (i < line.length && !/\s/.test(line[i]) && line[i] !== '"') i++;
    out.push({ text: line.slice(col, i), col, quoted: false });
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
