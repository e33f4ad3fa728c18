/**
 * The stage's entry: a model file in, its typed AST out. Preprocess, parse
 * with tree-sitter's C grammar, reject syntax errors at their first
 * location, convert the concrete tree to the AST of ast.ts.
 */
import * as fs from 'node:fs';
import type { Tree } from 'web-tree-sitter';
import type { SourceLoc, TranslationUnit } from './ast.js';
import { loadCParser } from './c-grammar.js';
import { convertTranslationUnit } from './convert-declarations.js';
import { CstContext } from './cst-context.js';
import { UsageError } from './diagnostic.js';
import { stripAttributes } from './gnu-attributes.js';
import { preprocess, type SourceText } from './preprocess.js';
import { SourceMap } from './source-map.js';
import { checkSyntax } from './syntax-errors.js';
import { collectTypedefNames, markTypedefParens } from './typedef-casts.js';

/** How to read a model. */
export interface ParseOptions {
  /** Sources read before the model as if it included them first (the kernel API header). */
  readonly prelude?: readonly SourceText[];
  /** Reads a file (the model and its includes); defaults to reading from disk as UTF-8. */
  readonly readFile?: (path: string) => string;
  /**
   * Type names known without a typedef in the sources (built into
   * `compile`), so that `(u32)-1` reads as a cast. Typedefs in the prelude
   * and the model are found on their own.
   */
  readonly typeNames?: readonly string[];
}

/**
 * Reads, preprocesses and parses the model at `path`. Throws a UsageError
 * when the file cannot be read, a ParseError or UnsupportedError located in
 * the user's files for anything else wrong.
 */
export async function parseModel(path: string, options: ParseOptions = {}): Promise<TranslationUnit> {
  const readFile = options.readFile ?? ((p: string) => fs.readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = readFile(path);
  } catch {
    throw new UsageError('file-not-found', `cannot read model file \`${path}\``, null, 'check the path and its permissions');
  }
  return parseModelSource(path, text, { ...options, readFile });
}

/** Like parseModel, with the main file's text given (includes are still read with `readFile`). */
export async function parseModelSource(path: string, text: string, options: ParseOptions = {}): Promise<TranslationUnit> {
  const pp = preprocess(path, text, options);
  const parser = await loadCParser();
  const fallback: SourceLoc = { file: path, line: 1, col: 1 };
  const tokens = stripAttributes(pp.tokens);
  let map = new SourceMap(tokens);
  let tree = parseText(parser.parse(map.text));
  try {
    const typeNames = collectTypedefNames(tree.rootNode);
    for (const name of options.typeNames ?? []) typeNames.add(name);
    const marked = markTypedefParens(tokens, typeNames);
    if (marked !== null) {
      tree.delete();
      map = new SourceMap(marked);
      tree = parseText(parser.parse(map.text));
    }
    checkSyntax(tree.rootNode, map, pp.sources, fallback);
    const items = convertTranslationUnit(tree.rootNode, new CstContext(map, fallback));
    return { file: path, items, pragmas: pp.pragmas, sources: pp.sources };
  } finally {
    tree.delete();
  }
}

function parseText(tree: Tree | null): Tree {
  // parse() only returns null when cancelled or without a language, neither of which happens here.
  if (tree === null) throw new Error('irqcheck bug: tree-sitter returned no tree');
  return tree;
}
