/**
 * lang: kernel C in, a typed syntax tree out.
 *
 * Takes a model file (and the files it includes), preprocesses it after the
 * prelude sources the caller supplies (the kernel API header), parses it
 * with tree-sitter's C grammar and gives a TranslationUnit: the AST of
 * ast.ts with every node located in the user's files, the model's
 * `#pragma irqcheck` settings and the text of every source read.
 *
 * Every mistake in the model is an IrqcheckError (ParseError,
 * UnsupportedError) carrying a Diagnostic with file:line:col and a hint.
 *
 * lang knows C and its preprocessor only: nothing of x86, of the kernel API's
 * meaning, of the state layout or of the search. Which names exist and what
 * they do is `compile`'s business.
 */
export { parseModel, parseModelSource } from './parse.js';
export type { ParseOptions } from './parse.js';
export type { SourceText } from './preprocess.js';
export type {
  AssignOp,
  BinaryOp,
  Declaration,
  Declarator,
  Designator,
  Enumerator,
  Expr,
  FieldDecl,
  FunctionDef,
  Initializer,
  InitItem,
  ModelPragmas,
  Param,
  SourceLoc,
  StorageClass,
  Stmt,
  TopLevel,
  TranslationUnit,
  TypeExpr,
  UnaryOp,
} from './ast.js';
export type { Diagnostic } from './diagnostic.js';
export {
  formatDiagnostic,
  IrqcheckError,
  ModelError,
  ParseError,
  UnsupportedError,
  UsageError,
} from './diagnostic.js';
