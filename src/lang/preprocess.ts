/**
 * The C preprocessor (translation phase 4) over located tokens: directives,
 * conditional inclusion, `#include "..."` and macro expansion. Every output
 * token keeps the place the user wrote it, so the parser's errors and the
 * compiled program's locations point into the user's files.
 *
 * `#include <...>` is skipped silently: models paste kernel code that
 * includes `<asm/nmi.h>` and the like, and the kernel API they need comes
 * built in, as prelude sources read before the model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelPragmas, SourceLoc } from './ast.js';
import { ParseError } from './diagnostic.js';
import { lex } from './lex.js';
import { parseDefine } from './macro.js';
import { MacroExpander } from './macro-expander.js';
import { evaluateCondition } from './pp-condition.js';
import type { PpToken } from './pp-token.js';
import { parseIrqcheckPragma } from './pragma.js';
import { SourceMap } from './source-map.js';
import { TokenStack } from './token-stack.js';

/** A source given as text rather than read from disk (the kernel API header). */
export interface SourceText {
  readonly name: string;
  readonly text: string;
}

/** How to find and read the model's files. */
export interface PreprocessOptions {
  /** Sources preprocessed before the model as if it included them first; their macros are visible. */
  readonly prelude?: readonly SourceText[];
  /** Reads an included file; defaults to reading from disk as UTF-8. */
  readonly readFile?: (path: string) => string;
}

/** The preprocessed model. */
export interface Preprocessed {
  /** The output tokens, each with its origin in the user's files. */
  readonly tokens: readonly PpToken[];
  /** The tokens as text for the C grammar, with the way back to the user's files. */
  readonly map: SourceMap;
  readonly pragmas: ModelPragmas;
  /** Every source read, prelude, main file and includes, by name. */
  readonly sources: ReadonlyMap<string, string>;
}

/** One open `#if` group. */
interface Conditional {
  readonly directive: PpToken;
  /** Some group of this `#if` chain has been (or is being) included. */
  taken: boolean;
  sawElse: boolean;
}

/** A file being read. */
interface OpenFile {
  readonly path: string;
  readonly conditionals: Conditional[];
  readonly depth: number;
}

const MAX_INCLUDE_DEPTH = 200;

const IGNORED_DIRECTIVES = new Set(['line', 'warning', 'ident', 'sccs']);

/** Predefined so a model can tell irqcheck from a compiler (`#ifdef __IRQCHECK__`). */
const PREDEFINED = '#define __IRQCHECK__ 1\n';

/**
 * Preprocesses `text`, the contents of the model file `file`, after the
 * prelude. Throws a ParseError (or UnsupportedError) located in the user's
 * file for a bad directive, a missing include, `#error`, or a token that
 * cannot start any C token.
 */
export function preprocess(file: string, text: string, options: PreprocessOptions = {}): Preprocessed {
  return new Preprocessor(options.readFile ?? ((p) => fs.readFileSync(p, 'utf8'))).run(file, text, options.prelude ?? []);
}

class Preprocessor {
  private readonly macros = new MacroExpander();
  private readonly sources = new Map<string, string>();
  private readonly once = new Set<string>();
  private readonly stack = new TokenStack<OpenFile>((f) => this.endFile(f));
  private pragmas: ModelPragmas = {};

  constructor(private readonly readFile: (path: string) => string) {}

  run(file: string, text: string, prelude: readonly SourceText[]): Preprocessed {
    this.open(file, text, 0);
    for (let k = prelude.length - 1; k >= 0; k--) {
      const p = prelude[k] as SourceText;
      this.open(p.name, p.text, 0);
    }
    this.stack.pushFile(lex('<irqcheck/predefined>', PREDEFINED), { path: '<irqcheck/predefined>', conditionals: [], depth: 0 });
    const out: PpToken[] = [];
    for (let t = this.stack.next(); t !== undefined; t = this.stack.next()) {
      const from = this.stack.currentFile();
      if (t.bol && t.kind === 'punct' && t.text === '#' && from !== null) {
        this.directive(t, from);
      } else if (!this.macros.expandHere(t, this.stack)) {
        out.push(checkOutput(t));
      }
    }
    return { tokens: out, map: new SourceMap(out), pragmas: this.pragmas, sources: this.sources };
  }

  private open(file: string, text: string, depth: number): void {
    this.sources.set(file, text);
    this.stack.pushFile(lex(file, text), { path: file, conditionals: [], depth });
  }

  private endFile(file: OpenFile): void {
    const open = file.conditionals[file.conditionals.length - 1];
    if (open !== undefined) {
      throw new ParseError('parse-error', `unterminated #${open.directive.text}`, open.directive.origin,
        'add the matching #endif', open.directive.text.length);
    }
  }

  private directive(hash: PpToken, file: OpenFile): void {
    const line = this.stack.restOfLine();
    const name = line[0];
    if (name === undefined) return;
    const rest = line.slice(1);
    const conds = file.conditionals;
    switch (name.text) {
      case 'define':
        this.macros.define(parseDefine(rest, name));
        return;
      case 'undef':
        this.macros.undef(identAfter(name, rest).text);
        return;
      case 'include':
        this.include(name, rest, file);
        return;
      case 'if':
        this.beginGroup(name, conds, evaluateCondition(rest, name, this.macros));
        return;
      case 'ifdef':
      case 'ifndef':
        this.beginGroup(name, conds, this.macros.isDefined(identAfter(name, rest).text) === (name.text === 'ifdef'));
        return;
      case 'elif':
      case 'else': {
        const open = innermost(name, conds);
        if (open.sawElse) {
          throw new ParseError('parse-error', `#${name.text} after #else`, name.origin,
            `the group began with #${open.directive.text} at line ${open.directive.origin.line}`, name.text.length);
        }
        open.sawElse = name.text === 'else';
        this.skipGroup(open, conds);
        return;
      }
      case 'endif':
        innermost(name, conds);
        conds.pop();
        return;
      case 'error':
        throw new ParseError('preprocessor-error', `#error ${spell(rest)}`.trim(), hash.origin, null, 6);
      case 'pragma':
        this.pragma(hash, rest, file);
        return;
    }
    if (name.kind === 'number' || IGNORED_DIRECTIVES.has(name.text)) return;
    throw new ParseError('parse-error', `unknown preprocessing directive \`#${name.text}\``, name.origin,
      'irqcheck knows #define, #undef, #include, #if, #ifdef, #ifndef, #elif, #else, #endif, #error and #pragma',
      name.text.length);
  }

  private include(directive: PpToken, rest: readonly PpToken[], from: OpenFile): void {
    const words = rest[0]?.kind === 'string' || rest[0]?.text === '<' ? rest : this.macros.expandAll(rest);
    const target = words[0];
    if (target?.text === '<') return;
    if (target === undefined || target.kind !== 'string' || !target.text.startsWith('"')) {
      throw new ParseError('parse-error', '#include expects "FILENAME" or <FILENAME>', directive.origin, null, 7);
    }
    const name = target.text.slice(1, -1);
    const dir = from.path.startsWith('<') ? '.' : path.dirname(from.path);
    const resolved = path.join(dir, name);
    if (this.once.has(resolved)) return;
    if (from.depth + 1 > MAX_INCLUDE_DEPTH) {
      throw new ParseError('parse-error', `#include nested more than ${MAX_INCLUDE_DEPTH} deep`, target.origin,
        'does a header include itself? guard it with #pragma once');
    }
    let text: string;
    try {
      text = this.readFile(resolved);
    } catch {
      throw new ParseError('include-not-found', `cannot read included file \`${name}\` (looked for ${resolved})`,
        target.origin, `a quoted #include is looked up relative to the including file's folder (${dir})`,
        target.text.length);
    }
    this.open(resolved, text, from.depth + 1);
  }

  private pragma(hash: PpToken, rest: readonly PpToken[], file: OpenFile): void {
    const what = rest[0]?.text;
    if (what === 'once') this.once.add(file.path);
    if (what === 'irqcheck') this.pragmas = parseIrqcheckPragma(rest.slice(1), hash.origin, this.pragmas);
  }

  private beginGroup(directive: PpToken, conds: Conditional[], included: boolean): void {
    const group: Conditional = { directive, taken: included, sawElse: false };
    conds.push(group);
    if (!included) this.skipGroup(group, conds);
  }

  /**
   * Skips the tokens of a group not included, up to the `#elif`/`#else`
   * that starts an included group or the `#endif` that closes `group`.
   */
  private skipGroup(group: Conditional, conds: Conditional[]): void {
    let depth = 0;
    for (;;) {
      const hash = this.stack.nextDirectiveInFrame();
      if (hash === undefined) return; // the end of the file reports the open #if
      const line = this.stack.restOfLine();
      const name = line[0];
      const d = name?.text;
      if (d === 'if' || d === 'ifdef' || d === 'ifndef') depth++;
      else if (depth > 0) depth -= d === 'endif' ? 1 : 0;
      else if (d === 'endif') {
        conds.pop();
        return;
      } else if (name !== undefined && (d === 'else' || d === 'elif')) {
        if (group.sawElse) {
          throw new ParseError('parse-error', `#${d} after #else`, name.origin, null, d.length);
        }
        group.sawElse = d === 'else';
        if (!group.taken && (d === 'else' || evaluateCondition(line.slice(1), name, this.macros))) {
          group.taken = true;
          return;
        }
      }
    }
  }
}

function innermost(directive: PpToken, conds: readonly Conditional[]): Conditional {
  const open = conds[conds.length - 1];
  if (open === undefined) {
    throw new ParseError('parse-error', `#${directive.text} without #if`, directive.origin, null, directive.text.length);
  }
  return open;
}

function identAfter(directive: PpToken, rest: readonly PpToken[]): PpToken {
  const name = rest[0];
  if (name === undefined || name.kind !== 'ident') {
    throw new ParseError('parse-error', `#${directive.text} expects a macro name`, (name ?? directive).origin, null);
  }
  return name;
}

function spell(tokens: readonly PpToken[]): string {
  return tokens.map((t, k) => (k > 0 && t.space ? ` ${t.text}` : t.text)).join('');
}

/** Rejects what can never be C: stray characters, unterminated literals, `#` outside directives. */
function checkOutput(t: PpToken): PpToken {
  const at: SourceLoc = t.origin;
  if (t.kind === 'other') {
    const quote = t.text === '"' || t.text === "'";
    throw new ParseError('parse-error', quote ? `missing terminating ${t.text} character` : `stray \`${t.text}\` in program`,
      at, quote ? 'close the literal on the same line' : null);
  }
  if (t.kind === 'punct' && (t.text === '#' || t.text === '##')) {
    throw new ParseError('parse-error', `stray \`${t.text}\` in program`, at,
      '# starts a directive only at the beginning of a line, and stringifies only a parameter of a function-like macro',
      t.text.length);
  }
  return t;
}
