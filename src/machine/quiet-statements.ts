/**
 * Which statements are local: nothing they do can be seen by another CPU,
 * an interrupt handler or the environment, nor changed by them. A step runs
 * on through local statements after its visible action, so it ends just
 * before the next statement that may do something visible. Why it matters:
 * a CPU's steps then begin at the same places whatever the interleaving (a
 * wait loop's head, for one), so the same state is not reached by paths of
 * different lengths, which would make the partial-order reduction's cycle
 * proviso expand it in full.
 *
 * Local means, over the statement's own instructions (up to the next
 * statement boundary, through its jumps; a callee's statements are judged
 * on their own): only its frame's locals, read-only kernel objects and
 * constants, and builtins of `LOCAL_BUILTINS`. Calls and returns are local
 * (the callee's first statement is a boundary of its own), except a return
 * from a function that may be the bottom of a context (main, an interrupt
 * entry, work a CPU is woken to run): it leads to an IRET or to the end of
 * the task, a step of its own, and the return statement shows where it
 * comes from in a trace.
 */
import { BUILTINS, builtinId, FN_PTR_TAG, LOCAL_BUILTINS, Op, OPERANDS, PRIVATE_ACCESS, TAG_MASK, type Program } from '../compile/index.js';
import { functionCode } from './function-code.js';
import { addressTakenFunctions } from './future-sites.js';

/** Per pc: 1 at each STMT whose statement is local, else 0. */
export function quietStatements(program: Program): Uint8Array {
  const code = program.code;
  const { readOnlyBase, readOnlyEnd } = program.layout;
  const localBuiltin = Uint8Array.from(BUILTINS, (spec) => (LOCAL_BUILTINS.has(spec.name) ? 1 : 0));
  const quiet = new Uint8Array(code.length);
  const bottom = bottomFunctionCode(program);
  const seen = new Int32Array(code.length).fill(-1);
  const work: number[] = [];
  for (let pc = 0; pc < code.length; pc += 1 + (OPERANDS[code[pc] as number] ?? 0)) {
    if ((code[pc] as number) !== Op.STMT) continue;
    let local = true;
    work.length = 0;
    work.push(pc + 1 + (OPERANDS[Op.STMT] as number));
    while (local && work.length > 0) {
      const at = work.pop() as number;
      if (at >= code.length || seen[at] === pc) continue;
      seen[at] = pc;
      const op = code[at] as number;
      const next = at + 1 + (OPERANDS[op] ?? 0);
      switch (op) {
        case Op.STMT:
          continue;
        case Op.RET:
          if (bottom[pc] === 1) local = false;
          continue;
        case Op.JMP:
          work.push(code[at + 1] as number);
          continue;
        case Op.JZ:
        case Op.JNZ:
          work.push(code[at + 1] as number, next);
          continue;
        case Op.LOADG: {
          const addr = code[at + 2] as number;
          if (addr < readOnlyBase || addr >= readOnlyEnd) local = false;
          break;
        }
        case Op.LOAD:
        case Op.STORE:
          if (((code[at + 1] as number) & PRIVATE_ACCESS) === 0) local = false;
          break;
        case Op.BUILTIN:
          if (localBuiltin[code[at + 1] as number] !== 1) local = false;
          break;
        case Op.STOREG:
        case Op.COPY:
        case Op.ZERO:
        case Op.IRET:
        case Op.TASK_EXIT:
        case Op.IDLE:
        case Op.FAULT:
          local = false;
          break;
        default:
          break;
      }
      work.push(next);
    }
    quiet[pc] = local ? 1 : 0;
  }
  return quiet;
}

/** Per pc: 1 inside the code of a function that may be the bottom of a context (see above). */
function bottomFunctionCode(program: Program): Uint8Array {
  const { main, nmiEntry, irqEntry } = program.entries;
  const roots = new Set<number>([main, nmiEntry, irqEntry, ...wokenFunctions(program)]);
  const { start, end } = functionCode(program);
  const inRoot = new Uint8Array(program.code.length);
  for (const f of roots) if (f >= 0 && (start[f] ?? -1) >= 0) inRoot.fill(1, start[f], end[f]);
  return inRoot;
}

/**
 * The functions a wake-up may start as task work: the function constants of
 * the statements that call the wake builtin (every address-taken function
 * if one of them passes a pointer it computed).
 */
function wokenFunctions(program: Program): number[] {
  const code = program.code;
  const wake = builtinId('__irqcheck_wake');
  const woken = new Set<number>();
  let statementFns: number[] = [];
  for (let pc = 0; pc < code.length; pc += 1 + (OPERANDS[code[pc] as number] ?? 0)) {
    const op = code[pc] as number;
    if (op === Op.STMT) statementFns = [];
    else if (op === Op.CONST && ((code[pc + 1] as number) & FN_PTR_TAG) !== 0) statementFns.push((code[pc + 1] as number) & TAG_MASK);
    else if (op === Op.BUILTIN && (code[pc + 1] as number) === wake) {
      if (statementFns.length === 0) return addressTakenFunctions(program);
      for (const f of statementFns) woken.add(f);
    }
  }
  return [...woken];
}
