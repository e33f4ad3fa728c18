import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  type Declaration,
  type Diagnostic,
  type Expr,
  formatDiagnostic,
  type FunctionDef,
  IrqcheckError,
  parseModel,
  parseModelSource,
  ParseError,
  type ParseOptions,
  type Stmt,
  type TranslationUnit,
  type TypeExpr,
  UnsupportedError,
  UsageError,
} from '../../src/lang/index.js';

const KERNEL_H = {
  name: '<irqcheck/kernel.h>',
  text: [
    'typedef unsigned long long u64;',
    'typedef unsigned int u32;',
    'typedef struct { int counter; } atomic_t;',
    '#define unlikely(x) (x)',
    '#define for_each_cpu(cpu, mask) for ((cpu) = -1; ((cpu) = cpumask_next((cpu), (mask))) < nr_cpu_ids;)',
    '#define NMI_DONE 0',
    '#define NMI_HANDLED 1',
  ].join('\n'),
};

const parse = (src: string, options: ParseOptions = {}): Promise<TranslationUnit> =>
  parseModelSource('m.c', src, { prelude: [KERNEL_H], ...options });

/** The tree without locations, for comparing shapes. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'loc').map(([k, v]) => [k, shape(v)]));
  }
  return value;
}

/** The model's own items (the prelude's typedefs come first). */
async function modelItems(src: string): Promise<TranslationUnit['items']> {
  const tu = await parse(src);
  return tu.items.filter((item) => item.loc.file === 'm.c');
}

async function fn(src: string, name = 'f'): Promise<FunctionDef> {
  const found = (await modelItems(src)).find((i): i is FunctionDef => i.kind === 'function' && i.name === name);
  if (found === undefined) throw new Error(`no function ${name}`);
  return found;
}

/** The body statements of `void f(void) { <body> }`. */
async function body(stmts: string): Promise<readonly (Stmt | Declaration)[]> {
  return (await fn(`void f(void) {\n${stmts}\n}`)).body.items;
}

/** The expression of `x = <expr>;` in a function body. */
async function expr(text: string): Promise<Expr> {
  const [stmt] = await body(`x = ${text};`);
  if (stmt?.kind !== 'expr' || stmt.expr.kind !== 'assign') throw new Error('not an assignment');
  return stmt.expr.value;
}

/** The type of the first declarator of a file-scope declaration. */
async function declType(decl: string): Promise<TypeExpr> {
  const [d] = await modelItems(decl);
  if (d?.kind !== 'declaration' || d.declarators[0] === undefined) throw new Error('not a declaration');
  return d.declarators[0].type;
}

async function failure(src: string, options: ParseOptions = {}): Promise<IrqcheckError> {
  try {
    await parse(src, options);
  } catch (e) {
    if (e instanceof IrqcheckError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const base = (name: string) => ({ kind: 'base', name });
const int = (value: number, unsigned = false, long: 0 | 1 | 2 = 0) => ({ kind: 'int', value: BigInt(value), unsigned, long });
const ident = (name: string) => ({ kind: 'ident', name });

describe('a realistic kernel function', () => {
  const src = `#include <asm/nmi.h>
#pragma irqcheck cpus 4 smt 2 nmis 1

struct ucode_ctrl {
	u32 result;
	int (*nmi_cb)(unsigned int cmd, void *regs);
};

static atomic_t late_cpus_in;
static struct ucode_ctrl ctrl = { .result = 0, .nmi_cb = 0 };
static const char *names[] = { [0] = "wait", [1] = "app" "ly" "\\n" };

static int ucode_nmi_cb(unsigned int cmd, void *regs)
{
	unsigned long timeout = 0x1000UL;
	int cpu;

	if (unlikely(!ctrl.nmi_cb))
		return NMI_DONE;
	for (int i = 0; i < 3; i++) {
		if (ctrl.result == (u32)-1)
			goto out;
	}
	for_each_cpu(cpu, &sibling_mask) {
		timeout--;
	}
	switch (cmd) {
	case 1:
		atomic_inc(&late_cpus_in);
		break;
	default:
		break;
	}
out:
	return NMI_HANDLED;
}
`;

  test('declarations: struct with a function-pointer field, statics, designated initializers', async () => {
    const tu = await parse(src);
    expect(tu.items.slice(0, 3).map((i) => (i.kind === 'declaration' ? i.declarators[0]?.name : i.name)))
      .toEqual(['u64', 'u32', 'atomic_t']);
    const [structDef, lateCpus, ctrl, names] = tu.items.slice(3) as Declaration[];
    expect(shape(structDef)).toEqual({
      kind: 'declaration',
      storage: null,
      typeOnly: {
        kind: 'struct', union: false, tag: 'ucode_ctrl',
        fields: [
          { name: 'result', type: base('u32'), bits: null },
          {
            name: 'nmi_cb',
            type: {
              kind: 'pointer',
              to: {
                kind: 'function', returns: base('int'), variadic: false,
                params: [
                  { name: 'cmd', type: base('unsigned int') },
                  { name: 'regs', type: { kind: 'pointer', to: base('void') } },
                ],
              },
            },
            bits: null,
          },
        ],
      },
      declarators: [],
    });
    expect(shape(lateCpus)).toEqual({
      kind: 'declaration', storage: 'static', typeOnly: null,
      declarators: [{ name: 'late_cpus_in', type: base('atomic_t'), init: null }],
    });
    expect(shape(ctrl?.declarators[0]?.init)).toEqual({
      kind: 'list',
      items: [
        { designators: [{ kind: 'field', name: 'result' }], value: { kind: 'expr', expr: int(0) } },
        { designators: [{ kind: 'field', name: 'nmi_cb' }], value: { kind: 'expr', expr: int(0) } },
      ],
    });
    expect(shape(names?.declarators[0])).toMatchObject({
      name: 'names',
      type: { kind: 'array', of: { kind: 'pointer', to: base('char') }, length: null },
      init: {
        kind: 'list',
        items: [
          { designators: [{ kind: 'index', index: int(0) }], value: { kind: 'expr', expr: { kind: 'string', value: 'wait' } } },
          { designators: [{ kind: 'index', index: int(1) }], value: { kind: 'expr', expr: { kind: 'string', value: 'apply\n' } } },
        ],
      },
    });
    expect(tu.pragmas).toMatchObject({ cpus: 4, smt: 2, nmis: 1 });
  });

  test('the function: static, its parameters and its statements in order', async () => {
    const f = await fn(src, 'ucode_nmi_cb');
    expect(f.storage).toBe('static');
    expect(f.loc).toEqual({ file: 'm.c', line: 13, col: 1 });
    expect(shape(f.type.params)).toEqual([
      { name: 'cmd', type: base('unsigned int') },
      { name: 'regs', type: { kind: 'pointer', to: base('void') } },
    ]);
    expect(f.body.items.map((s) => s.kind)).toEqual(['declaration', 'declaration', 'if', 'for', 'for', 'switch', 'labeled']);
    const [timeout, , early, loop, iter, sw, out] = f.body.items;
    expect(shape(timeout)).toMatchObject({ declarators: [{ name: 'timeout', type: base('unsigned long'), init: { kind: 'expr', expr: int(0x1000, true, 1) } }] });
    expect(shape(early)).toEqual({
      kind: 'if',
      cond: { kind: 'unary', op: '!', arg: { kind: 'member', object: ident('ctrl'), field: 'nmi_cb', arrow: false } },
      then: { kind: 'return', value: int(0) },
      else: null,
    });
    expect(shape(loop)).toMatchObject({
      kind: 'for',
      init: { kind: 'declaration', declarators: [{ name: 'i', type: base('int'), init: { kind: 'expr', expr: int(0) } }] },
      cond: { kind: 'binary', op: '<', left: ident('i'), right: int(3) },
      step: { kind: 'update', op: '++', prefix: false, arg: ident('i') },
      body: {
        kind: 'compound',
        items: [{
          kind: 'if',
          cond: {
            kind: 'binary', op: '==',
            left: { kind: 'member', object: ident('ctrl'), field: 'result', arrow: false },
            right: { kind: 'cast', type: base('u32'), arg: { kind: 'unary', op: '-', arg: int(1) } },
          },
          then: { kind: 'goto', label: 'out' },
        }],
      },
    });
    expect(iter?.kind).toBe('for');
    expect(shape(sw)).toEqual({
      kind: 'switch',
      value: ident('cmd'),
      body: {
        kind: 'compound',
        items: [
          { kind: 'case', value: int(1) },
          { kind: 'expr', expr: { kind: 'call', callee: ident('atomic_inc'), args: [{ kind: 'unary', op: '&', arg: ident('late_cpus_in') }] } },
          { kind: 'break' },
          { kind: 'case', value: null },
          { kind: 'break' },
        ],
      },
    });
    expect(shape(out)).toEqual({ kind: 'labeled', label: 'out', body: { kind: 'return', value: int(1) } });
    expect(out?.loc).toEqual({ file: 'm.c', line: 34, col: 1 });
  });

  test('a statement-shaped iterator macro from the prelude becomes a for loop at the invocation', async () => {
    const iter = (await fn(src, 'ucode_nmi_cb')).body.items[4];
    expect(shape(iter)).toEqual({
      kind: 'for',
      init: { kind: 'assign', op: '=', target: ident('cpu'), value: { kind: 'unary', op: '-', arg: int(1) } },
      cond: {
        kind: 'binary', op: '<',
        left: {
          kind: 'assign', op: '=', target: ident('cpu'),
          value: { kind: 'call', callee: ident('cpumask_next'), args: [ident('cpu'), { kind: 'unary', op: '&', arg: ident('sibling_mask') }] },
        },
        right: ident('nr_cpu_ids'),
      },
      step: null,
      body: { kind: 'compound', items: [{ kind: 'expr', expr: { kind: 'update', op: '--', prefix: false, arg: ident('timeout') } }] },
    });
    // The loop is where the user wrote for_each_cpu; the argument where they wrote it.
    expect(iter?.loc).toEqual({ file: 'm.c', line: 24, col: 2 });
    if (iter?.kind !== 'for' || iter.cond?.kind !== 'binary' || iter.cond.left.kind !== 'assign') throw new Error('shape');
    expect(iter.cond.left.value.loc).toEqual({ file: 'm.c', line: 24, col: 2 });
    const call = iter.cond.left.value;
    if (call.kind !== 'call') throw new Error('shape');
    expect(call.args[1]?.loc).toEqual({ file: 'm.c', line: 24, col: 20 });
    expect(iter.body.loc).toEqual({ file: 'm.c', line: 24, col: 35 });
  });

  test('the sources hold the prelude and the model, for excerpts', async () => {
    const tu = await parse(src);
    expect(tu.file).toBe('m.c');
    expect(tu.sources.get('m.c')).toBe(src);
    expect(tu.sources.has('<irqcheck/kernel.h>')).toBe(true);
  });
});

describe('types', () => {
  test.each([
    ['unsigned x;', 'unsigned int'],
    ['unsigned int x;', 'unsigned int'],
    ['signed x;', 'int'],
    ['long int x;', 'long'],
    ['long unsigned int x;', 'unsigned long'],
    ['long long int x;', 'long long'],
    ['unsigned long long x;', 'unsigned long long'],
    ['short int x;', 'short'],
    ['unsigned short x;', 'unsigned short'],
    ['signed char x;', 'signed char'],
    ['unsigned char x;', 'unsigned char'],
    ['char x;', 'char'],
    ['_Bool x;', 'bool'],
    ['bool x;', 'bool'],
    ['const volatile u64 x;', 'u64'],
    ['size_t x;', 'size_t'],
  ])('%s has base type %s', async (decl, name) => {
    expect(shape(await declType(decl))).toEqual(base(name));
  });

  test('declarators read inside out', async () => {
    expect(shape(await declType('int *a[3];'))).toEqual({ kind: 'array', of: { kind: 'pointer', to: base('int') }, length: int(3) });
    expect(shape(await declType('int (*a)[4];'))).toEqual({ kind: 'pointer', to: { kind: 'array', of: base('int'), length: int(4) } });
    expect(shape(await declType('int m[2][3];'))).toEqual({
      kind: 'array', of: { kind: 'array', of: base('int'), length: int(3) }, length: int(2),
    });
    expect(shape(await declType('static int (*fn)(void *);'))).toEqual({
      kind: 'pointer',
      to: { kind: 'function', returns: base('int'), params: [{ name: null, type: { kind: 'pointer', to: base('void') } }], variadic: false },
    });
    expect(shape(await declType('void (*handlers[2])(int);'))).toEqual({
      kind: 'array',
      of: { kind: 'pointer', to: { kind: 'function', returns: base('void'), params: [{ name: null, type: base('int') }], variadic: false } },
      length: int(2),
    });
    expect(shape(await declType('int printk(const char *fmt, ...);'))).toEqual({
      kind: 'function', returns: base('int'), variadic: true,
      params: [{ name: 'fmt', type: { kind: 'pointer', to: base('char') } }],
    });
  });

  test('(void) and () both give no parameters', async () => {
    expect(shape(await declType('int f(void);'))).toEqual({ kind: 'function', returns: base('int'), params: [], variadic: false });
    expect(shape(await declType('int g();'))).toEqual({ kind: 'function', returns: base('int'), params: [], variadic: false });
  });

  test('a function returning a pointer', async () => {
    const f = await fn('static struct task *f(int cpu) { return 0; }');
    expect(shape(f.type.returns)).toEqual({ kind: 'pointer', to: { kind: 'struct', union: false, tag: 'task', fields: null } });
  });

  test('typedefs of function pointers and structs', async () => {
    const [d] = await modelItems('typedef int (*nmi_handler_t)(unsigned int, void *);');
    expect(shape(d)).toMatchObject({
      kind: 'declaration',
      storage: 'typedef',
      declarators: [{ name: 'nmi_handler_t', type: { kind: 'pointer', to: { kind: 'function', returns: base('int') } } }],
    });
  });

  test('enums, unions and bit-fields', async () => {
    const [e, u] = await modelItems('enum state { IDLE, BUSY = 4, DONE };\nunion u { int a; unsigned flag : 1; } v;');
    expect(shape(e)).toEqual({
      kind: 'declaration', storage: null, declarators: [],
      typeOnly: {
        kind: 'enum', tag: 'state',
        enumerators: [{ name: 'IDLE', value: null }, { name: 'BUSY', value: int(4) }, { name: 'DONE', value: null }],
      },
    });
    expect(shape(u)).toMatchObject({
      typeOnly: null,
      declarators: [{
        name: 'v',
        type: {
          kind: 'struct', union: true, tag: 'u',
          fields: [{ name: 'a', type: base('int'), bits: null }, { name: 'flag', type: base('unsigned int'), bits: int(1) }],
        },
      }],
    });
  });
});

describe('expressions', () => {
  test('integer literals in every base with their suffixes', async () => {
    expect(shape(await expr('42'))).toEqual(int(42));
    expect(shape(await expr('0x2aUL'))).toEqual(int(42, true, 1));
    expect(shape(await expr('052'))).toEqual(int(42));
    expect(shape(await expr('0b101010ull'))).toEqual(int(42, true, 2));
    expect(shape(await expr('18446744073709551615ULL'))).toEqual({ kind: 'int', value: 18446744073709551615n, unsigned: true, long: 2 });
    expect(shape(await expr('10LL'))).toEqual(int(10, false, 2));
  });

  test('character and string literals decode escapes; adjacent strings concatenate', async () => {
    expect(shape(await expr("'a'"))).toEqual({ kind: 'char', value: 97 });
    expect(shape(await expr("'\\n'"))).toEqual({ kind: 'char', value: 10 });
    expect(shape(await expr("'\\xff'"))).toEqual({ kind: 'char', value: 255 });
    expect(shape(await expr("'\\0'"))).toEqual({ kind: 'char', value: 0 });
    expect(shape(await expr('"cpu%d: " "ok\\t\\x41\\101\\"\\\\"'))).toEqual({ kind: 'string', value: 'cpu%d: ok\tAA"\\' });
  });

  test('operators keep C precedence', async () => {
    expect(shape(await expr('a + b * c << 1 == d && !e'))).toEqual({
      kind: 'binary', op: '&&',
      left: {
        kind: 'binary', op: '==',
        left: {
          kind: 'binary', op: '<<',
          left: { kind: 'binary', op: '+', left: ident('a'), right: { kind: 'binary', op: '*', left: ident('b'), right: ident('c') } },
          right: int(1),
        },
        right: ident('d'),
      },
      right: { kind: 'unary', op: '!', arg: ident('e') },
    });
    expect(shape(await expr('(a ? b : c, d)'))).toEqual({
      kind: 'comma', left: { kind: 'conditional', cond: ident('a'), then: ident('b'), else: ident('c') }, right: ident('d'),
    });
  });

  test('postfix and prefix forms', async () => {
    expect(shape(await expr('p->q[2].r++'))).toEqual({
      kind: 'update', op: '++', prefix: false,
      arg: { kind: 'member', field: 'r', arrow: false, object: { kind: 'index', index: int(2), array: { kind: 'member', object: ident('p'), field: 'q', arrow: true } } },
    });
    expect(shape(await expr('--*p'))).toEqual({ kind: 'update', op: '--', prefix: true, arg: { kind: 'unary', op: '*', arg: ident('p') } });
    expect(shape(await expr('fn(1, &y)(2)'))).toEqual({
      kind: 'call', args: [int(2)], callee: { kind: 'call', callee: ident('fn'), args: [int(1), { kind: 'unary', op: '&', arg: ident('y') }] },
    });
  });

  test('casts to typedef names are casts, parenthesised variables are not', async () => {
    expect(shape(await expr('(u64)-1'))).toEqual({ kind: 'cast', type: base('u64'), arg: { kind: 'unary', op: '-', arg: int(1) } });
    expect(shape(await expr('(u32)~0 * 2'))).toEqual({
      kind: 'binary', op: '*', left: { kind: 'cast', type: base('u32'), arg: { kind: 'unary', op: '~', arg: int(0) } }, right: int(2),
    });
    expect(shape(await expr('(y)-1'))).toEqual({ kind: 'binary', op: '-', left: ident('y'), right: int(1) });
    expect(shape(await expr('(atomic_t *)&y'))).toEqual({
      kind: 'cast', type: { kind: 'pointer', to: base('atomic_t') }, arg: { kind: 'unary', op: '&', arg: ident('y') },
    });
    expect(shape(await expr('(unsigned long)y'))).toEqual({ kind: 'cast', type: base('unsigned long'), arg: ident('y') });
  });

  test('a model typedef also makes casts, and typeNames adds names compile knows', async () => {
    const [stmt] = (await fn('typedef int myint;\nvoid f(void) { x = (myint)-1; }')).body.items;
    expect(shape(stmt)).toMatchObject({ expr: { value: { kind: 'cast', type: base('myint') } } });
    const tu = await parse('void f(void) { x = (s64)-1; }', { typeNames: ['s64'] });
    expect(shape(tu.items.at(-1))).toMatchObject({ body: { items: [{ expr: { value: { kind: 'cast', type: base('s64') } } }] } });
  });

  test('sizeof of a type, of an expression, of a parenthesised variable', async () => {
    expect(shape(await expr('sizeof(struct foo)'))).toEqual({ kind: 'sizeofType', type: { kind: 'struct', union: false, tag: 'foo', fields: null } });
    expect(shape(await expr('sizeof(u64)'))).toEqual({ kind: 'sizeofType', type: base('u64') });
    expect(shape(await expr('sizeof(int *)'))).toEqual({ kind: 'sizeofType', type: { kind: 'pointer', to: base('int') } });
    expect(shape(await expr('sizeof y'))).toEqual({ kind: 'sizeofExpr', arg: ident('y') });
    expect(shape(await expr('sizeof(y)'))).toEqual({ kind: 'sizeofExpr', arg: ident('y') });
  });

  test('compound literals and nested designators', async () => {
    expect(shape(await expr('(struct msr){ .lo = 1, .a[2].b = 3, [4] = { 5, 6 } }'))).toEqual({
      kind: 'compoundLiteral',
      type: { kind: 'struct', union: false, tag: 'msr', fields: null },
      init: {
        kind: 'list',
        items: [
          { designators: [{ kind: 'field', name: 'lo' }], value: { kind: 'expr', expr: int(1) } },
          {
            designators: [{ kind: 'field', name: 'a' }, { kind: 'index', index: int(2) }, { kind: 'field', name: 'b' }],
            value: { kind: 'expr', expr: int(3) },
          },
          {
            designators: [{ kind: 'index', index: int(4) }],
            value: { kind: 'list', items: [{ designators: [], value: { kind: 'expr', expr: int(5) } }, { designators: [], value: { kind: 'expr', expr: int(6) } }] },
          },
        ],
      },
    });
  });

  test('NULL is ((void *)0); true and false are 1 and 0', async () => {
    expect(shape(await expr('NULL'))).toEqual({ kind: 'cast', type: { kind: 'pointer', to: base('void') }, arg: int(0) });
    expect(shape(await expr('true'))).toEqual(int(1));
    expect(shape(await expr('false'))).toEqual(int(0));
  });

  test('all assignment operators', async () => {
    const ops = ['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^='];
    const items = await body(ops.map((op) => `x ${op} 1;`).join('\n'));
    expect(items.map((s) => (s.kind === 'expr' && s.expr.kind === 'assign' ? s.expr.op : null))).toEqual(ops);
  });
});

describe('statements', () => {
  test('while, do-while, continue, empty statements and void return', async () => {
    expect(shape(await body('while (a) { if (b) continue; else ; }\ndo x++; while (x < 3);\nreturn;'))).toEqual([
      {
        kind: 'while', cond: ident('a'),
        body: { kind: 'compound', items: [{ kind: 'if', cond: ident('b'), then: { kind: 'continue' }, else: { kind: 'empty' } }] },
      },
      { kind: 'do', body: { kind: 'expr', expr: { kind: 'update', op: '++', prefix: false, arg: ident('x') } }, cond: { kind: 'binary', op: '<', left: ident('x'), right: int(3) } },
      { kind: 'return', value: null },
    ]);
  });

  test('cases in nested blocks, fall-through and labels before declarations flatten in order', async () => {
    expect(shape(await body('switch (s) { case 1: case 2: { a(); } fallthrough_label: case 3: b(); }'))).toEqual([
      {
        kind: 'switch', value: ident('s'),
        body: {
          kind: 'compound',
          items: [
            { kind: 'case', value: int(1) },
            { kind: 'case', value: int(2) },
            { kind: 'compound', items: [{ kind: 'expr', expr: { kind: 'call', callee: ident('a'), args: [] } }] },
            { kind: 'labeled', label: 'fallthrough_label', body: { kind: 'empty' } },
            { kind: 'case', value: int(3) },
            { kind: 'expr', expr: { kind: 'call', callee: ident('b'), args: [] } },
          ],
        },
      },
    ]);
  });

  test('GNU attributes are ignored wherever they appear', async () => {
    const items = await body('int x __attribute__((unused)) = 1;\n__attribute__((fallthrough));\nreturn;');
    expect(shape(items)).toEqual([
      { kind: 'declaration', storage: null, typeOnly: null, declarators: [{ name: 'x', type: base('int'), init: { kind: 'expr', expr: int(1) } }] },
      { kind: 'empty' },
      { kind: 'return', value: null },
    ]);
  });
});

describe('syntax errors', () => {
  const diag = async (src: string): Promise<Diagnostic> => {
    const e = await failure(src);
    expect(e).toBeInstanceOf(ParseError);
    return e.diagnostic;
  };

  test('an unexpected token is reported at its exact line and column', async () => {
    expect(await diag('int f(void)\n{\n\tint x = 1 +;\n\treturn x;\n}\n')).toMatchObject({
      code: 'parse-error',
      message: 'unexpected `+` before `;`',
      loc: { file: 'm.c', line: 3, col: 12 },
    });
    expect(await diag('int f(void)\n{\n\tx = y z;\n}\n')).toMatchObject({
      message: 'unexpected `z` before `;`',
      loc: { file: 'm.c', line: 3, col: 8 },
    });
  });

  test('a missing token is reported right after the token it should follow', async () => {
    expect(await diag('int f(void)\n{\n\tu64 x = 1\n}\n')).toMatchObject({
      message: 'expected `;` before `}`',
      loc: { file: 'm.c', line: 3, col: 11 },
    });
    expect(await diag('void f(void) {\n  if (x { y(); }\n}')).toMatchObject({
      message: 'expected `)` before `{`',
      loc: { line: 2, col: 8 },
    });
  });

  test('an unclosed brace is reported at the end of the input', async () => {
    expect(await diag('void f(void) {\n  x = 1;\n')).toMatchObject({
      message: 'expected `}` at end of input',
      loc: { line: 2, col: 9 },
    });
  });

  test('an undefined statement-shaped macro gets a hint to define it', async () => {
    const d = await diag('void f(void) {\n\tint c;\n\tfor_each_online_cpu(c) {\n\t\tx++;\n\t}\n}');
    expect(d).toMatchObject({ message: 'unexpected block after `for_each_online_cpu(...)`', loc: { line: 3, col: 2 } });
    const d1 = await diag('void f(void) {\n\tfor_each_present_cpu(c, &m) {\n\t\tx++;\n\t}\n}');
    expect(d1).toMatchObject({ message: 'expected `;` before `{`', loc: { line: 2, col: 29 } });
    expect(d1.hint).toBe('is `for_each_present_cpu(...)` a macro irqcheck does not know? define it with #define');
    expect(d.hint).toBe('is `for_each_online_cpu(...)` a macro irqcheck does not know? define it with #define');
    const d2 = await diag('void f(void) {\n\tlist_for_each(p, &head) x++;\n}');
    expect(d2).toMatchObject({ message: 'unexpected `x` before `++`', loc: { line: 2, col: 26 } });
    expect(d2.hint).toContain('`list_for_each(...)` a macro');
  });

  test('an undefined declaration macro at file scope gets the same hint', async () => {
    const d = await diag('DEFINE_PER_CPU(int, x);\nint y;');
    expect(d).toMatchObject({
      message: 'expected a declaration, found a call of `DEFINE_PER_CPU` outside any function',
      loc: { line: 1, col: 1 },
      hint: 'is `DEFINE_PER_CPU(...)` a macro irqcheck does not know? define it with #define',
    });
  });

  test('an error in an included file is located in that file', async () => {
    const readFile = (p: string): string => {
      if (p === 'inc.h') return 'int ok;\nint broken = ;\n';
      throw new Error('ENOENT');
    };
    const e = await failure('#include "inc.h"\nint main(void) { return 0; }', { readFile });
    expect(e.diagnostic).toMatchObject({ message: 'expected an expression before `;`', loc: { file: 'inc.h', line: 2, col: 13 } });
  });

  test('an error inside a macro expansion is located at the invocation', async () => {
    const e = await failure('#define BAD(x) x = = 1\nvoid f(void) {\n\tBAD(y);\n}');
    expect(e.diagnostic.loc).toEqual({ file: 'm.c', line: 3, col: 2 });
  });

  test('formatDiagnostic shows the line with a caret under the column', async () => {
    const e = await failure('int f(void)\n{\n\tint x = 1 +;\n}\n');
    const text = formatDiagnostic(e.diagnostic, new Map([['m.c', 'int f(void)\n{\n\tint x = 1 +;\n}\n']]));
    expect(text.split('\n').slice(0, 3)).toEqual([
      'm.c:3:12: error: unexpected `+` before `;`',
      '  3 |  int x = 1 +;',
      '    |            ^',
    ]);
  });
});

describe('unsupported constructs', () => {
  const unsupported = async (src: string): Promise<Diagnostic> => {
    const e = await failure(src);
    expect(e).toBeInstanceOf(UnsupportedError);
    return e.diagnostic;
  };

  test('floating point, in constants and in types', async () => {
    const d = await unsupported('void f(void) {\n\tx = 1.5;\n}');
    expect(d).toMatchObject({ message: 'floating-point constant `1.5`', loc: { line: 2, col: 6 }, length: 3 });
    expect(d.hint).toBe('irqcheck models integer kernel code; the kernel itself avoids floating point');
    expect(await unsupported('static double ratio;')).toMatchObject({ message: 'type `double`', loc: { line: 1, col: 8 } });
    expect(await unsupported('float f(void);')).toMatchObject({ message: 'type `float`' });
    expect(await unsupported('long double x;')).toMatchObject({ message: 'type `long double`' });
  });

  test('inline assembly', async () => {
    const d = await unsupported('void f(void) {\n\tasm volatile("wrmsr" : : "c"(0x79));\n}');
    expect(d).toMatchObject({ message: 'inline assembly', loc: { line: 2, col: 2 } });
    expect(d.hint).toContain('use the kernel API (wrmsrl, apply_microcode_local, ...)');
  });

  test('K&R definitions, _Generic, statement expressions, a ?: b, ranges, anonymous members', async () => {
    expect(await unsupported('int f(a) int a; { return a; }')).toMatchObject({
      message: 'old-style (K&R) function definition', loc: { line: 1, col: 10 },
    });
    expect((await unsupported('void f(void) { x = _Generic(y, int: 1, default: 2); }')).message).toBe('`_Generic`');
    expect(await unsupported('void f(void) {\n  x = ({ int t = 1; t; });\n}')).toMatchObject({
      message: 'statement expression `({ ... })`', loc: { line: 2, col: 7 },
    });
    expect((await unsupported('void f(void) { x = y ?: 2; }')).message).toBe('conditional with omitted operand `a ?: b`');
    expect((await unsupported('int a[4] = { [0 ... 3] = 1 };')).message).toBe('range designator `[a ... b]`');
    expect((await unsupported('struct s { union { int a; long b; }; };')).message).toBe('anonymous union member');
  });

  test('typeof, static assertions and file-scope asm', async () => {
    expect(await unsupported('void f(void) {\n\ttypeof(x) y = 1;\n}')).toMatchObject({ message: '`typeof(...)`', loc: { line: 2, col: 2 } });
    expect((await unsupported('_Static_assert(sizeof(int) == 4, "int");')).message).toBe('static assertion');
    expect((await unsupported('asm(".globl x");')).message).toBe('file-scope inline assembly');
  });
});

describe('reading files', () => {
  test('parseModel reads the model and its includes through readFile', async () => {
    const files: Record<string, string> = {
      'models/m.c': '#include "lib/defs.h"\nint main(void) { return LIMIT; }',
      'models/lib/defs.h': '#define LIMIT 3\n',
    };
    const tu = await parseModel('models/m.c', {
      readFile: (p) => {
        const text = files[p];
        if (text === undefined) throw new Error('ENOENT');
        return text;
      },
    });
    expect(shape(tu.items[0])).toMatchObject({ kind: 'function', name: 'main', body: { items: [{ kind: 'return', value: int(3) }] } });
    expect([...tu.sources.keys()]).toEqual(['models/m.c', 'models/lib/defs.h']);
  });

  test('a model file that cannot be read is a usage error without a location', async () => {
    await expect(parseModel('/nonexistent/model.c')).rejects.toBeInstanceOf(UsageError);
    await expect(parseModel('/nonexistent/model.c')).rejects.toMatchObject({
      diagnostic: { code: 'file-not-found', loc: null },
    });
  });
});

// Code pasted from the kernel, with the macros a kernel API header would give.
const fixture = fileURLToPath(new URL('./fixtures/microcode-late-load.c', import.meta.url));
const prelude = [{
  name: '<irqcheck/kernel.h>',
  text: [
    'typedef unsigned int u32;',
    'typedef struct { int counter; } atomic_t;',
    'struct cpumask { unsigned long bits[1]; };',
    'typedef struct cpumask cpumask_t;',
    '#define NULL ((void *)0)',
    '#define noinstr',
    '#define WARN_ON_ONCE(c) WARN_ON(c)',
    '#define pr_fmt(fmt) "microcode: " fmt',
    '#define pr_info(fmt, ...) printk(pr_fmt(fmt), ##__VA_ARGS__)',
    '#define pr_err(fmt, ...) printk(pr_fmt(fmt), ##__VA_ARGS__)',
    '#define for_each_cpu_and(cpu, a, b) for ((cpu) = -1; ((cpu) = cpumask_next_and((cpu), (a), (b))) < nr_cpu_ids;)',
    '#define DEFINE_PER_CPU(type, name) type name[8]',
    '#define this_cpu_write(v, x) ((v)[smp_processor_id()] = (x))',
    '#define per_cpu(v, cpu) ((v)[cpu])',
    '#define USEC_PER_SEC 1000000UL',
  ].join('\n'),
}];

describe('pasted kernel code', () => {
  test('the late-load path of the microcode loader parses as written', async () => {
    const tu = await parseModelSource(fixture, fs.readFileSync(fixture, 'utf8'), { prelude });
    const model = tu.items.filter((i) => i.loc.file === fixture);
    expect(model.map((i) => (i.kind === 'function' ? `${i.name}()` : i.declarators.map((d) => d.name).join(',') || '(type)'))).toEqual([
      '(type)', '(type)', '(type)', 'ucode_ctrl', 'late_cpus_in,offline_in_nmi', 'loops_per_usec', 'cpu_offline_mask',
      'wait_for_cpus()', 'wait_for_ctrl()', 'microcode_update_handler()', 'microcode_nmi_handler()',
      'load_cpus_stopped()', 'load_late_stop_cpus()',
    ]);
    expect(tu.pragmas).toMatchObject({ cpus: 4, smt: 2, nmis: 1 });

    const load = model.at(-1) as FunctionDef;
    const loop = load.body.items.find((s): s is Extract<Stmt, { kind: 'for' }> => s.kind === 'for');
    expect(loop?.loc).toMatchObject({ line: 136, col: 2 });
    const sw = loop?.body.kind === 'compound' ? loop.body.items[0] : undefined;
    const cases = sw?.kind === 'switch' && sw.body.kind === 'compound' ? sw.body.items.filter((s) => s.kind === 'case') : [];
    expect(cases.map((c) => (c.kind === 'case' && c.value?.kind === 'ident' ? c.value.name : 'default')))
      .toEqual(['UCODE_UPDATED', 'UCODE_TIMEOUT', 'UCODE_OK', 'UCODE_OFFLINE', 'default']);

    // pr_err's format went through two macro levels and string concatenation.
    const safe = load.body.items.find((s) => s.kind === 'if');
    expect(safe).toMatchObject({
      kind: 'if',
      then: { kind: 'compound', items: [{ kind: 'expr', expr: { kind: 'call', callee: { name: 'printk' }, args: [{ kind: 'string', value: 'microcode: Late microcode loading without minimal revision check.\n' }] } }, {}] },
    });
  });
});
