/**
 * The typed syntax tree of a kernel-C model, after preprocessing.
 *
 * `lang` builds it from tree-sitter's concrete tree; `compile` reads it and
 * never sees tree-sitter. Every node carries the location of its first token
 * in the user's file (macro expansions are located at their invocation).
 */

/** A position in a source file; line and col count from 1. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

// ---------------------------------------------------------------------------
// Types as written
// ---------------------------------------------------------------------------

/**
 * A C type. Base names are normalised: `unsigned` → `unsigned int`,
 * `long int` → `long`, `signed char` → `signed char`, `_Bool`/`bool` → `bool`;
 * typedef names (kernel ones such as `u32`, `atomic_t`, and the model's own)
 * stay as written and are resolved by `compile`.
 */
export type TypeExpr =
  | { readonly kind: 'base'; readonly name: string; readonly loc: SourceLoc }
  | {
      readonly kind: 'struct';
      readonly union: boolean;
      readonly tag: string | null;
      /** null for a reference (`struct foo`), the fields for a definition. */
      readonly fields: readonly FieldDecl[] | null;
      readonly loc: SourceLoc;
    }
  | {
      readonly kind: 'enum';
      readonly tag: string | null;
      readonly enumerators: readonly Enumerator[] | null;
      readonly loc: SourceLoc;
    }
  | { readonly kind: 'pointer'; readonly to: TypeExpr; readonly loc: SourceLoc }
  | {
      readonly kind: 'array';
      readonly of: TypeExpr;
      /** null for `int a[]` (length from the initializer). */
      readonly length: Expr | null;
      readonly loc: SourceLoc;
    }
  | {
      readonly kind: 'function';
      readonly returns: TypeExpr;
      readonly params: readonly Param[];
      readonly variadic: boolean;
      readonly loc: SourceLoc;
    };

export interface FieldDecl {
  readonly name: string;
  readonly type: TypeExpr;
  /** Bit-field width, if any. */
  readonly bits: Expr | null;
  readonly loc: SourceLoc;
}

export interface Enumerator {
  readonly name: string;
  readonly value: Expr | null;
  readonly loc: SourceLoc;
}

export interface Param {
  /** null for an unnamed parameter (`void f(int)`). `(void)` yields no params. */
  readonly name: string | null;
  readonly type: TypeExpr;
  readonly loc: SourceLoc;
}

// ---------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------

export type StorageClass = 'static' | 'extern' | 'typedef' | null;

export interface Declaration {
  readonly kind: 'declaration';
  readonly storage: StorageClass;
  /**
   * The declared type when the declaration declares no name
   * (`struct foo { ... };`, `enum { A, B };`), so its tags/enumerators exist.
   */
  readonly typeOnly: TypeExpr | null;
  readonly declarators: readonly Declarator[];
  readonly loc: SourceLoc;
}

export interface Declarator {
  readonly name: string;
  readonly type: TypeExpr;
  readonly init: Initializer | null;
  readonly loc: SourceLoc;
}

export type Initializer =
  | { readonly kind: 'expr'; readonly expr: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'list'; readonly items: readonly InitItem[]; readonly loc: SourceLoc };

export interface InitItem {
  /** `.field = v`, `[3] = v`, `.a[2].b = v`; empty for positional items. */
  readonly designators: readonly Designator[];
  readonly value: Initializer;
}

export type Designator =
  | { readonly kind: 'field'; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'index'; readonly index: Expr; readonly loc: SourceLoc };

export interface FunctionDef {
  readonly kind: 'function';
  readonly name: string;
  readonly storage: StorageClass;
  readonly type: Extract<TypeExpr, { kind: 'function' }>;
  readonly body: Extract<Stmt, { kind: 'compound' }>;
  readonly loc: SourceLoc;
  /** The body's closing brace: where a function without a final return returns. */
  readonly end: SourceLoc;
}

export type TopLevel = FunctionDef | Declaration;

// ---------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------

export type Stmt =
  | { readonly kind: 'compound'; readonly items: readonly (Stmt | Declaration)[]; readonly loc: SourceLoc }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'empty'; readonly loc: SourceLoc }
  | { readonly kind: 'if'; readonly cond: Expr; readonly then: Stmt; readonly else: Stmt | null; readonly loc: SourceLoc }
  | { readonly kind: 'while'; readonly cond: Expr; readonly body: Stmt; readonly loc: SourceLoc }
  | { readonly kind: 'do'; readonly body: Stmt; readonly cond: Expr; readonly loc: SourceLoc }
  | {
      readonly kind: 'for';
      readonly init: Declaration | Expr | null;
      readonly cond: Expr | null;
      readonly step: Expr | null;
      readonly body: Stmt;
      readonly loc: SourceLoc;
    }
  | { readonly kind: 'switch'; readonly value: Expr; readonly body: Stmt; readonly loc: SourceLoc }
  /**
   * A `case v:` or `default:` label (value null). tree-sitter nests the
   * following statements inside the case; `lang` flattens them so a case is a
   * marker followed by ordinary statements in the switch's compound body.
   */
  | { readonly kind: 'case'; readonly value: Expr | null; readonly loc: SourceLoc }
  | { readonly kind: 'break'; readonly loc: SourceLoc }
  | { readonly kind: 'continue'; readonly loc: SourceLoc }
  | { readonly kind: 'return'; readonly value: Expr | null; readonly loc: SourceLoc }
  | { readonly kind: 'goto'; readonly label: string; readonly loc: SourceLoc }
  | { readonly kind: 'labeled'; readonly label: string; readonly body: Stmt; readonly loc: SourceLoc };

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%'
  | '<<' | '>>' | '&' | '|' | '^'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||';

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '<<=' | '>>=' | '&=' | '|=' | '^=';

export type UnaryOp = '-' | '+' | '!' | '~' | '*' | '&';

export type Expr =
  | { readonly kind: 'ident'; readonly name: string; readonly loc: SourceLoc }
  /** An integer constant; `unsigned`/`long` record its suffix (`10UL`). */
  | { readonly kind: 'int'; readonly value: bigint; readonly unsigned: boolean; readonly long: 0 | 1 | 2; readonly loc: SourceLoc }
  | { readonly kind: 'char'; readonly value: number; readonly loc: SourceLoc }
  /** A string literal, adjacent literals already concatenated, escapes decoded. */
  | { readonly kind: 'string'; readonly value: string; readonly loc: SourceLoc }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly arg: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'update'; readonly op: '++' | '--'; readonly prefix: boolean; readonly arg: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'assign'; readonly op: AssignOp; readonly target: Expr; readonly value: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'conditional'; readonly cond: Expr; readonly then: Expr; readonly else: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'comma'; readonly left: Expr; readonly right: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'call'; readonly callee: Expr; readonly args: readonly Expr[]; readonly loc: SourceLoc }
  | { readonly kind: 'member'; readonly object: Expr; readonly field: string; readonly arrow: boolean; readonly loc: SourceLoc }
  | { readonly kind: 'index'; readonly array: Expr; readonly index: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'cast'; readonly type: TypeExpr; readonly arg: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'sizeofType'; readonly type: TypeExpr; readonly loc: SourceLoc }
  | { readonly kind: 'sizeofExpr'; readonly arg: Expr; readonly loc: SourceLoc }
  /** `(struct foo){ .a = 1 }` */
  | { readonly kind: 'compoundLiteral'; readonly type: TypeExpr; readonly init: Initializer; readonly loc: SourceLoc };

// ---------------------------------------------------------------------------
// The parsed model
// ---------------------------------------------------------------------------

/** `#pragma irqcheck cpus 4 smt 2 nmis 1`, merged over the whole model. */
export interface ModelPragmas {
  readonly cpus?: number;
  readonly smt?: number;
  readonly nmis?: number;
  readonly loc?: SourceLoc;
}

/** One model file with its includes, preprocessed and parsed. */
export interface TranslationUnit {
  /** The path of the main file as given. */
  readonly file: string;
  readonly items: readonly TopLevel[];
  readonly pragmas: ModelPragmas;
  /** Every source file read (main and includes) with its text, for excerpts and traces. */
  readonly sources: ReadonlyMap<string, string>;
}
