/**
 * Macro expansion with rescanning, `#`, `##` and `__VA_ARGS__` (C11
 * §6.10.3). Recursion is stopped with Prosser's hide sets: every token
 * remembers which macros produced it and never re-expands them, so
 * `#define foo foo + 1` expands once.
 *
 * Locations: a body token takes the origin of the invocation's name token,
 * which for a nested expansion is already the outermost invocation's; an
 * argument's tokens keep their own origins, so a mistake inside
 * `unlikely(...)` is shown where it was written.
 */
import { ParseError, UnsupportedError } from './diagnostic.js';
import { lex } from './lex.js';
import { VA_ARGS, type Macro } from './macro.js';
import { withToken, type PpToken } from './pp-token.js';
import { TokenStack } from './token-stack.js';

/** An entry of a substituted body before `##` is applied. */
type Piece = PpToken | 'paste' | 'placemarker';

/** The macro table and the expansion of one identifier in a token stream. */
export class MacroExpander {
  private readonly macros = new Map<string, Macro>();

  /** Records a definition; a redefinition replaces the old one. */
  define(macro: Macro): void {
    this.macros.set(macro.name, macro);
  }

  /** Forgets a definition (`#undef`); unknown names are ignored. */
  undef(name: string): void {
    this.macros.delete(name);
  }

  /** Whether `name` is a macro, for `defined` and `#ifdef`. */
  isDefined(name: string): boolean {
    return this.macros.has(name) || name === '__LINE__' || name === '__FILE__';
  }

  /**
   * If `tok` (just read from `stream`) invokes a macro, consumes its
   * arguments from `stream`, pushes the expansion back onto it for
   * rescanning and returns true; otherwise returns false.
   */
  expandHere<F>(tok: PpToken, stream: TokenStack<F>): boolean {
    if (tok.kind !== 'ident' || tok.hide.has(tok.text)) return false;
    if (tok.text === '__LINE__' || tok.text === '__FILE__') {
      const text = tok.text === '__LINE__' ? String(tok.origin.line) : JSON.stringify(tok.origin.file);
      stream.pushTokens([withToken(tok, { kind: tok.text === '__LINE__' ? 'number' : 'string', text, bol: false })]);
      return true;
    }
    const macro = this.macros.get(tok.text);
    if (macro === undefined) return false;
    if (macro.params === null) {
      const hide = new Set(tok.hide).add(macro.name);
      stream.pushTokens(this.finish(this.substitute(macro, new Map(), tok), tok, hide));
      return true;
    }
    if (stream.peek()?.text !== '(') return false;
    stream.next();
    const { args, close } = collectArgs(macro, tok, stream);
    const hide = new Set([...tok.hide].filter((n) => close.hide.has(n))).add(macro.name);
    stream.pushTokens(this.finish(this.substitute(macro, args, tok), tok, hide));
    return true;
  }

  /** Fully expands a token list on its own (macro arguments, `#if` lines). */
  expandAll(tokens: readonly PpToken[]): PpToken[] {
    const stream = new TokenStack<never>();
    stream.pushTokens(tokens);
    const out: PpToken[] = [];
    for (let t = stream.next(); t !== undefined; t = stream.next()) {
      if (!this.expandHere(t, stream)) out.push(t);
    }
    return out;
  }

  /** Replaces parameters by arguments and applies `#` and `##` (§6.10.3.1–3). */
  private substitute(macro: Macro, args: ReadonlyMap<string, readonly PpToken[]>, call: PpToken): PpToken[] {
    const body = macro.body;
    const pieces: Piece[] = [];
    const arg = (t: PpToken | undefined): readonly PpToken[] | undefined =>
      t?.kind === 'ident' ? args.get(t.text) : undefined;
    for (let i = 0; i < body.length; i++) {
      const t = body[i] as PpToken;
      const next = body[i + 1];
      if (t.text === '#' && t.kind === 'punct' && macro.params !== null) {
        pieces.push(stringify(arg(next) ?? [], call));
        i++;
      } else if (t.text === '##' && t.kind === 'punct') {
        pieces.push('paste');
      } else if (t.text === ',' && next?.text === '##' && macro.variadic && body[i + 2]?.text === VA_ARGS) {
        // GNU `, ## __VA_ARGS__`: the comma goes when the variable arguments are empty.
        const va = args.get(VA_ARGS) ?? [];
        if (va.length > 0) pieces.push(withToken(t, { origin: call.origin }), ...va);
        i += 2;
      } else {
        const actual = arg(t);
        if (actual === undefined) {
          pieces.push(withToken(t, { origin: call.origin }));
        } else if (next?.text === '##' || body[i - 1]?.text === '##') {
          pieces.push(...(actual.length > 0 ? actual : ['placemarker' as const]));
        } else {
          pieces.push(...this.expandAll(actual));
        }
      }
    }
    return paste(pieces, macro, call);
  }

  /** Marks an expansion's tokens as macro output: not directives, hidden from `hide`. */
  private finish(tokens: readonly PpToken[], call: PpToken, hide: ReadonlySet<string>): PpToken[] {
    return tokens.map((t, k) => {
      const merged = t.hide.size === 0 ? hide : new Set([...t.hide, ...hide]);
      return withToken(t, { bol: false, hide: merged, space: k === 0 ? call.space : t.space });
    });
  }
}

/** Reads `( a, b, ... )` after a function-like macro's name; `(` is consumed already. */
function collectArgs<F>(
  macro: Macro,
  call: PpToken,
  stream: TokenStack<F>,
): { args: Map<string, readonly PpToken[]>; close: PpToken } {
  const params = macro.params ?? [];
  const actuals: PpToken[][] = [];
  let current: PpToken[] = [];
  let depth = 0;
  for (;;) {
    const t = stream.next();
    if (t === undefined) {
      throw new ParseError('parse-error', `unterminated argument list invoking macro \`${macro.name}\``, call.origin,
        'a `)` is missing', call.text.length);
    }
    if (t.bol && t.text === '#') {
      throw new UnsupportedError('unsupported', `preprocessing directive inside the arguments of macro \`${macro.name}\``,
        t.origin, 'move the #if/#define out of the macro call');
    }
    if (t.text === ')' && depth === 0) {
      actuals.push(current);
      if (params.length === 0 && actuals.length === 1 && current.length === 0) actuals.pop();
      if (macro.variadic && actuals.length === params.length - 1) actuals.push([]);
      if (actuals.length !== params.length) {
        const takes = `${macro.variadic ? 'at least ' : ''}${params.length - (macro.variadic ? 1 : 0)}`;
        throw new ParseError('parse-error',
          `macro \`${macro.name}\` takes ${takes} argument(s) but was given ${actuals.length}`, call.origin,
          `it is defined at ${macro.origin.file}:${macro.origin.line}`, call.text.length);
      }
      return { args: new Map(params.map((p, k) => [p, actuals[k] ?? []])), close: t };
    }
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    const inVariadic = macro.variadic && actuals.length === params.length - 1;
    if (t.text === ',' && depth === 0 && !inVariadic) {
      actuals.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
}

/** `#x`: the argument's spelling as a string literal (§6.10.3.2). */
function stringify(tokens: readonly PpToken[], call: PpToken): PpToken {
  const text = tokens
    .map((t, k) => {
      const spelled = t.kind === 'string' || t.kind === 'char' ? t.text.replace(/[\\"]/g, (c) => `\\${c}`) : t.text;
      return k > 0 && t.space ? ` ${spelled}` : spelled;
    })
    .join('');
  return withToken(call, { kind: 'string', text: `"${text}"`, bol: false, space: false });
}

/** Applies `##` between neighbouring pieces and drops placemarkers (§6.10.3.3). */
function paste(pieces: readonly Piece[], macro: Macro, call: PpToken): PpToken[] {
  const out: (PpToken | 'placemarker')[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i] as Piece;
    if (p !== 'paste') {
      out.push(p);
      continue;
    }
    const left = out.pop() ?? 'placemarker';
    const right = pieces[++i] ?? 'placemarker';
    if (right === 'paste') continue;
    if (left === 'placemarker') out.push(right);
    else if (right === 'placemarker') out.push(left);
    else out.push(pasteTokens(left, right, macro, call));
  }
  return out.filter((t): t is PpToken => t !== 'placemarker');
}

function pasteTokens(left: PpToken, right: PpToken, macro: Macro, call: PpToken): PpToken {
  const text = left.text + right.text;
  const lexed = lex(call.origin.file, text);
  const only = lexed[0];
  if (lexed.length !== 1 || only === undefined || only.kind === 'other') {
    throw new ParseError('parse-error',
      `pasting \`${left.text}\` and \`${right.text}\` in macro \`${macro.name}\` does not give a valid token`,
      call.origin, '## must join two tokens into one, such as an identifier or a number', call.text.length);
  }
  return withToken(left, { kind: only.kind, text, origin: call.origin });
}
