/**
 * The C lexer of translation phases 1–3: line splices, comments and
 * preprocessing tokens, each token located in the user's file.
 */
import type { SourceLoc } from './ast.js';
import { ParseError } from './diagnostic.js';
import { NO_HIDE, type PpToken, type PpTokenKind } from './pp-token.js';

// Longest first, so the first match is the longest (C11 §6.4.6).
const PUNCTUATORS: readonly string[] = [
  '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##',
  '[', ']', '(', ')', '{', '}', '.', '&', '*', '+', '-', '~', '!', '/', '%',
  '<', '>', '^', '|', '?', ':', ';', '=', ',', '#',
];

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;
const HSPACE = /[ \t\f\v\r]/;

/**
 * The text with line splices (backslash-newline) removed, and for every
 * remaining character the line and column it had in the file.
 */
interface SplicedText {
  readonly text: string;
  readonly lines: Int32Array;
  readonly cols: Int32Array;
}

function splice(raw: string): SplicedText {
  const out: string[] = [];
  const lines = new Int32Array(raw.length + 1);
  const cols = new Int32Array(raw.length + 1);
  let line = 1;
  let col = 1;
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && (raw[i + 1] === '\n' || (raw[i + 1] === '\r' && raw[i + 2] === '\n'))) {
      i += raw[i + 1] === '\r' ? 2 : 1;
      line++;
      col = 1;
      continue;
    }
    out.push(c);
    lines[n] = line;
    cols[n] = col;
    n++;
    if (c === '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  lines[n] = line;
  cols[n] = col;
  return { text: out.join(''), lines, cols };
}

/**
 * Splits one source file into preprocessing tokens. Comments become
 * whitespace. An unterminated string or character literal, or a character C
 * has no token for, becomes a one-character `other` token: the preprocessor
 * reports it only if it survives conditional inclusion, as compilers do.
 * Throws a ParseError for an unterminated block comment.
 */
export function lex(file: string, raw: string): PpToken[] {
  const { text, lines, cols } = splice(raw);
  const tokens: PpToken[] = [];
  let bol = true;
  let space = false;
  let i = 0;
  const locAt = (k: number): SourceLoc => ({ file, line: lines[k] as number, col: cols[k] as number });
  const push = (kind: PpTokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: text.slice(start, end), origin: locAt(start), bol, space, hide: NO_HIDE });
    bol = false;
    space = false;
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      bol = true;
      space = true;
      i++;
    } else if (HSPACE.test(c)) {
      space = true;
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      space = true;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        throw new ParseError('parse-error', 'unterminated comment', locAt(i), 'close the comment with */', 2);
      }
      i = end + 2;
      space = true;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < text.length && IDENT_PART.test(text[j] as string)) j++;
      const word = text.slice(i, j);
      const quote = text[j];
      if ((quote === '"' || quote === "'") && (word === 'L' || word === 'u' || word === 'U' || word === 'u8')) {
        i = lexQuoted(i, j, quote);
      } else {
        push('ident', i, j);
        i = j;
      }
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(text[i + 1] ?? ''))) {
      let j = i + 1;
      for (;;) {
        const d = text[j] ?? '';
        if (/[eEpP]/.test(d) && /[+-]/.test(text[j + 1] ?? '')) j += 2;
        else if (/[0-9A-Za-z_.]/.test(d)) j++;
        else break;
      }
      push('number', i, j);
      i = j;
    } else if (c === '"' || c === "'") {
      i = lexQuoted(i, i, c);
    } else {
      const p = PUNCTUATORS.find((q) => text.startsWith(q, i));
      if (p !== undefined) {
        push('punct', i, i + p.length);
        i += p.length;
      } else {
        push('other', i, i + 1);
        i++;
      }
    }
  }
  return tokens;

  /** Lexes a literal whose prefix starts at `start` and quote is at `q`; returns the end. */
  function lexQuoted(start: number, q: number, quote: string): number {
    let j = q + 1;
    while (j < text.length && text[j] !== quote && text[j] !== '\n') {
      j += text[j] === '\\' ? 2 : 1;
    }
    if (j >= text.length || text[j] !== quote) {
      // Unterminated: only the quote becomes a token, the rest is lexed on.
      if (start < q) push('ident', start, q);
      push('other', q, q + 1);
      return q + 1;
    }
    push(quote === '"' ? 'string' : 'char', start, j + 1);
    return j + 1;
  }
}
