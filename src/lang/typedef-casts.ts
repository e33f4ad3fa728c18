/**
 * Telling casts from parenthesised expressions. C needs to know which names
 * are typedefs to read `(u64)-1` (a cast) apart from `(x)-1` (a
 * subtraction); tree-sitter does not, and reads both as subtractions. So the
 * text is parsed once to collect the typedef names (the prelude's and the
 * model's), then every `( T )` with T a typedef name is spelled `( T const )`,
 * which can only be a type, and parsed again. The qualifier is harmless: the
 * AST drops qualifiers.
 */
import type { CstNode } from './cst-context.js';
import { withToken, type PpToken } from './pp-token.js';

/** Every name declared by a `typedef` anywhere in the tree. */
export function collectTypedefNames(root: CstNode): Set<string> {
  const names = new Set<string>();
  for (const def of root.descendantsOfType('type_definition')) {
    if (def === null) continue;
    for (const decl of def.childrenForFieldName('declarator')) {
      // The name is the innermost declarator: `typedef int (*fn_t)(void)` names fn_t.
      let d = decl;
      for (let inner = d; inner !== null; inner = innerDeclarator(inner)) d = inner;
      if (d !== null && (d.type === 'type_identifier' || d.type === 'primitive_type')) names.add(d.text);
    }
  }
  return names;
}

function innerDeclarator(d: CstNode): CstNode | null {
  const wrapped = d.type === 'parenthesized_declarator' || d.type === 'attributed_declarator';
  return d.childForFieldName('declarator') ?? (wrapped ? d.namedChildren[0] ?? null : null);
}

/**
 * The tokens with `const` inserted after T in each `( T )` where T is in
 * `typeNames`; null when there is no such parenthesis.
 */
export function markTypedefParens(tokens: readonly PpToken[], typeNames: ReadonlySet<string>): PpToken[] | null {
  let out: PpToken[] | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as PpToken;
    const isTypeInParens =
      t.kind === 'ident' && typeNames.has(t.text) && tokens[i - 1]?.text === '(' && tokens[i + 1]?.text === ')';
    if (isTypeInParens && out === null) out = tokens.slice(0, i);
    if (out === null) continue;
    out.push(t);
    if (isTypeInParens) out.push(withToken(t, { text: 'const', space: true }));
  }
  return out;
}
