/**
 * Where is a JSON text broken? V8's JSON.parse message gives a position only for some
 * errors, so this scanner walks the grammar and returns the offset of the first bad byte
 * and what it expected there. Used only after JSON.parse has failed.
 */
export interface JsonSyntaxProblem {
  readonly offset: number;
  readonly expected: string;
  /** What to do, where the usual "fix the JSON syntax" can say more (a trailing comma). */
  readonly hint?: string;
}

export function findJsonError(text: string): JsonSyntaxProblem {
  let i = 0;
  const fail = (expected: string, hint?: string): never => {
    throw { offset: i, expected, ...(hint ? { hint } : {}) } satisfies JsonSyntaxProblem;
  };
  const TRAILING = 'remove the comma before it: JSON allows no trailing comma';
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('a value');
  };
  const str = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail('a closing quote (strings cannot span lines)');
      i++;
    }
    if (i >= text.length) fail('a closing quote');
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) fail('a value');
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (let first = true; ; first = false) {
        ws();
        if (text[i] !== '"') fail('a field name in double quotes', !first && text[i] === '}' ? TRAILING : undefined);
        str();
        ws();
        if (text[i] !== ':') fail('":" after the field name');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return void i++;
        fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let first = true; ; first = false) {
        ws();
        if (!first && text[i] === ']') fail('a value', TRAILING);
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return void i++;
        fail('"," or "]"');
      }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    if (c === '-' || (c >= '0' && c <= '9')) return num();
    fail(i >= text.length ? 'more input (the file ends too early)' : 'a value');
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the file (extra text after the JSON)');
  } catch (e) {
    return e as JsonSyntaxProblem;
  }
  return { offset: i, expected: 'valid JSON' };
}

export function offsetToLineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1, col = 1;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, col };
}

/**
 * The first place where arrays and objects nest deeper than `max`, or undefined. A scan
 * of brackets outside strings, with no recursion, so it works on any text (JSON.parse
 * and the checks after it recurse per level).
 */
export function findDeepNesting(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}
