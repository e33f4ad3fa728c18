/**
 * Macro definitions: what `#define` records (C11 §6.10.3).
 */
import type { SourceLoc } from './ast.js';
import { ParseError } from './diagnostic.js';
import type { PpToken } from './pp-token.js';

/** The name the variadic parameter `...` is referred to by. */
export const VA_ARGS = '__VA_ARGS__';

/** One `#define`d macro. */
export interface Macro {
  readonly name: string;
  /** null for an object-like macro; the parameter names for a function-like one. */
  readonly params: readonly string[] | null;
  /** The last parameter takes the remaining arguments (`...` or GNU `args...`). */
  readonly variadic: boolean;
  readonly body: readonly PpToken[];
  readonly origin: SourceLoc;
}

/**
 * Builds a macro from the tokens of a `#define` line after `define`.
 * Throws a ParseError for a malformed definition.
 */
export function parseDefine(line: readonly PpToken[], directive: PpToken): Macro {
  const name = line[0];
  if (name === undefined || name.kind !== 'ident') {
    throw new ParseError('parse-error', 'macro name missing after #define', (name ?? directive).origin,
      'write #define NAME value or #define NAME(args) body');
  }
  if (name.text === 'defined') {
    throw new ParseError('parse-error', '"defined" cannot be used as a macro name', name.origin, null, 7);
  }
  const open = line[1];
  if (open === undefined || open.text !== '(' || open.space) {
    const body = line.slice(1);
    checkBody(name.text, null, body);
    return { name: name.text, params: null, variadic: false, body, origin: name.origin };
  }
  const params: string[] = [];
  let variadic = false;
  let i = 2;
  for (;;) {
    const t = line[i];
    const bad = (what: string): never => {
      throw new ParseError('parse-error', `${what} in the parameter list of macro \`${name.text}\``,
        (t ?? open).origin, 'parameters are identifiers separated by commas, optionally ending in ...');
    };
    if (t === undefined) return bad('missing `)`');
    if (t.text === ')' && params.length === 0 && !variadic) {
      i++;
      break;
    }
    if (variadic) return bad('`...` not last');
    if (t.text === '...') {
      params.push(VA_ARGS);
      variadic = true;
    } else if (t.kind === 'ident') {
      if (params.includes(t.text)) bad(`duplicate parameter \`${t.text}\``);
      params.push(t.text);
      if (line[i + 1]?.text === '...') {
        variadic = true;
        i++;
      }
    } else {
      bad(`unexpected \`${t.text}\``);
    }
    const sep = line[i + 1];
    i += 2;
    if (sep?.text === ')') break;
    if (sep?.text !== ',') {
      const after = line[i - 1];
      throw new ParseError('parse-error', `expected \`,\` or \`)\` in the parameter list of macro \`${name.text}\``,
        (after ?? t).origin, null);
    }
  }
  const body = line.slice(i);
  checkBody(name.text, params, body);
  return { name: name.text, params, variadic, body, origin: name.origin };
}

/** `##` cannot start or end the body; in a function-like macro `#` must name a parameter. */
function checkBody(name: string, params: readonly string[] | null, body: readonly PpToken[]): void {
  const first = body[0];
  const last = body[body.length - 1];
  if (first?.text === '##' || (body.length > 1 && last?.text === '##')) {
    const at = first?.text === '##' ? first : (last as PpToken);
    throw new ParseError('parse-error', `'##' cannot appear at either end of macro \`${name}\``, at.origin, null, 2);
  }
  if (params === null) return;
  body.forEach((t, k) => {
    if (t.text === '#' && t.kind === 'punct') {
      const operand = body[k + 1];
      if (operand === undefined || operand.kind !== 'ident' || !params.includes(operand.text)) {
        throw new ParseError('parse-error', `'#' is not followed by a macro parameter in macro \`${name}\``, t.origin,
          '# turns a parameter into a string literal: #define STR(x) #x');
      }
    }
  });
}
