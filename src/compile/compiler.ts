/**
 * A translation unit → a Program for one configuration: declares every name,
 * lays out globals (read-only kernel objects last), compiles each function,
 * sizes the per-CPU stacks from the call graph, and evaluates global
 * initializers into the initial memory image.
 */
import type { Declarator, Expr, FunctionDef, SourceLoc, Stmt, TranslationUnit } from '../lang/index.js';
import { ModelError, UnsupportedError } from '../lang/index.js';
import { builtinId } from './builtins.js';
import { callSignature, indirectCallees, INT, slotsOf, typeName, UINT, type CType, type FunctionType } from './ctype.js';
import { walkAst } from './ast-walk.js';
import { Emitter } from './emitter.js';
import { widthOf } from './expr.js';
import { FunctionCompiler, type FunctionUnit } from './function-compiler.js';
import { flattenInit } from './initializer.js';
import { Frame, GLOBALS_BASE, makeLayout } from './layout.js';
import { FN_PTR_TAG, Op, STR_PTR_TAG } from './opcodes.js';
import type { FunctionInfo, ModelConfig, Program, StatementSite, VariableInfo } from './program.js';
import { Scope, decay, type FunctionSym, type GlobalSym } from './scope.js';
import { storeNumber } from './slots.js';

/** What the kernel stage tells the compiler about its own prelude. */
export interface KernelHooks {
  /** Kernel objects that never change (masks of the topology, the apic ops table): reading them is invisible. */
  readonly readOnlyGlobals: ReadonlySet<string>;
  /** Kernel functions that are one step (atomic in Linux, e.g. an RCU list insert). */
  readonly atomicFunctions: ReadonlySet<string>;
  /** The function the machine calls on NMI delivery. */
  readonly nmiEntry: string;
  /** The function the machine calls on delivery of a vectored interrupt: `void f(unsigned int vector)`. */
  readonly irqEntry: string;
  /** Struct tag of the devices the environment drives (their globals become `Program.devices`). */
  readonly deviceTag: string;
  /** Struct tag of patchable code sites (their globals become `Program.textSites`). */
  readonly textSiteTag: string;
  /** Kernel names that give vectors handlers (IRQs, the call-function IPI): reaching one makes the IRQ entry reachable. */
  readonly vectorSources: ReadonlySet<string>;
  /** Files that belong to irqcheck rather than the model. */
  readonly kernelFiles: ReadonlySet<string>;
}

/** Frames of a recursive cycle the stack has room for; deeper recursion is a stack-overflow. */
const RECURSION_FRAMES = 16;
/** Deepest operand stack an expression may need. */
export const MAX_OPERAND_DEPTH = 256;

interface PendingGlobal {
  readonly decl: Declarator;
  type: CType;
  readonly readOnly: boolean;
  sym: GlobalSym | null;
}

/** Compiles a parsed model for a configuration. Throws a located IrqcheckError for a bad model. */
export function compileProgram(unit: TranslationUnit, config: ModelConfig, hooks: KernelHooks): Program {
  return new UnitCompiler(unit, config, hooks).compile();
}

class UnitCompiler implements FunctionUnit {
  readonly scope = new Scope();
  readonly emitter = new Emitter();
  private readonly strings: string[] = [];
  private readonly callSignatures: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly constants: number[] = [];
  private readonly sites: StatementSite[] = [];
  private readonly siteIds = new Map<string, number>();
  private readonly fns: FunctionSym[] = [];
  private readonly defs = new Map<number, FunctionDef>();
  private readonly calls = new Map<number, Set<number>>();
  /** Per function, the calls it makes through pointers: signature (`callSignature`) → arguments. */
  private readonly indirectCalls = new Map<number, Map<string, number>>();
  private readonly addressTaken = new Set<number>();
  private readonly globals: PendingGlobal[] = [];
  private readonly staticLocals: PendingGlobal[] = [];
  private current = -1;
  private reachable = new Set<string>();

  constructor(
    private readonly unit: TranslationUnit,
    private readonly config: ModelConfig,
    private readonly hooks: KernelHooks,
  ) {}

  compile(): Program {
    const { cpus, smt } = this.config;
    const consts: [string, number][] = [['NR_CPUS', cpus], ['nr_cpu_ids', cpus], ['__IRQCHECK_MASK_WORDS', Math.ceil(cpus / 32)], ['__IRQCHECK_SMT', smt]];
    for (const [name, value] of consts) this.scope.defineGlobal({ kind: 'const', name, value, type: name === 'nr_cpu_ids' ? UINT : INT });

    this.declareAll();
    this.reachable = this.kernelReachable();
    const globalsSlots = this.layoutGlobals();

    const e = this.emitter;
    const idlePc = e.emit(Op.IDLE);
    const taskExitPc = e.emit(Op.TASK_EXIT);
    const iretPc = e.emit(Op.IRET);

    const infos: FunctionInfo[] = [];
    for (const sym of this.fns) {
      const def = this.defs.get(sym.index);
      if (def === undefined || !this.reachable.has(sym.name)) {
        infos.push(undefinedFunction(sym));
        continue;
      }
      this.current = sym.index;
      const atomic = this.hooks.atomicFunctions.has(sym.name);
      const compiled = new FunctionCompiler(this, def, sym, atomic).compile();
      infos.push({
        name: sym.name,
        index: sym.index,
        entry: compiled.entry,
        params: compiled.params,
        locals: compiled.locals,
        frameSlots: compiled.frameSlots,
        spillOffset: compiled.spillOffset,
        returnsValue: sym.type.returns.kind !== 'void',
        isModel: !this.hooks.kernelFiles.has(def.loc.file),
        atomic,
        signature: callSignature(sym.type),
        loc: def.loc,
      });
    }
    if (e.maxDepth > MAX_OPERAND_DEPTH) {
      throw new UnsupportedError('deep-expression', 'an expression is too deeply nested', null, 'split it into several statements');
    }
    this.checkCalledFunctionsDefined(infos);
    this.checkUnboundedRecursion();

    const main = this.requireFunction('main', 'the model has no main(): CPU 0 runs int main(void)');
    const mainSym = this.fns[main] as FunctionSym;
    if (mainSym.type.params.length > 0 || mainSym.type.returns.kind !== 'int' || mainSym.type.returns.bits !== 32) {
      // Point at the declarator (`main(...)`), not the return type.
      const at = this.defs.get(main)?.type.loc ?? mainSym.loc;
      throw new ModelError('bad-main', `main must be declared int main(void), not ${typeName(mainSym.type)}`, at, 'CPU 0 runs int main(void); its return value is ignored', 4);
    }
    const nmiEntry = this.requireFunction(this.hooks.nmiEntry, `irqcheck bug: the kernel prelude lacks ${this.hooks.nmiEntry}`);
    // Initializers mark the functions whose address they take: before the stacks are sized.
    const initialGlobals = this.initialImage(globalsSlots);
    // Without a way to request a vector, no interrupt is ever delivered: no IRQ entry, no vector tables.
    const irqEntry = this.reachable.has(this.hooks.irqEntry)
      ? this.requireFunction(this.hooks.irqEntry, `irqcheck bug: the kernel prelude lacks ${this.hooks.irqEntry}`)
      : -1;
    const stackSlots = this.stackSlots(infos, nmiEntry, irqEntry);

    // The read-only region starts at the first read-only global that was laid out (unreachable ones take no room).
    const readOnly = this.globals.filter((g) => g.readOnly && g.sym !== null).map((g) => (g.sym as GlobalSym).address - GLOBALS_BASE);
    const roStart = readOnly.length > 0 ? Math.min(...readOnly) : globalsSlots;
    const roSlots = globalsSlots - roStart;
    const layout = makeLayout(cpus, stackSlots, globalsSlots, roStart, roSlots);
    const { code, pcSite } = e.finish();
    return {
      config: this.config,
      code,
      constants: Float64Array.from(this.constants),
      functions: infos,
      globals: [...this.globals, ...this.staticLocals].filter((g) => g.sym !== null).map((g) => globalInfo(g, !this.hooks.kernelFiles.has(g.decl.loc.file))),
      layout,
      initialGlobals,
      sites: this.sites,
      pcSite,
      strings: this.strings,
      callSignatures: this.callSignatures,
      entries: { main, nmiEntry, irqEntry, idlePc, taskExitPc, iretPc },
      devices: this.structTable(this.hooks.deviceTag),
      textSites: this.structTable(this.hooks.textSiteTag),
      sources: this.unit.sources,
      file: this.unit.file,
    };
  }

  // --- FunctionUnit ------------------------------------------------------

  internCallSignature(signature: string): number {
    const at = this.callSignatures.indexOf(signature);
    if (at >= 0) return at;
    this.callSignatures.push(signature);
    return this.callSignatures.length - 1;
  }

  internString(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  constant(v: number): number {
    const at = this.constants.indexOf(v);
    if (at >= 0) return at;
    this.constants.push(v);
    return this.constants.length - 1;
  }

  noteCall(callee: number, signature?: string): void {
    let set = this.calls.get(this.current);
    if (set === undefined) this.calls.set(this.current, (set = new Set()));
    set.add(callee);
    if (callee < 0 && signature !== undefined) {
      let indirect = this.indirectCalls.get(this.current);
      if (indirect === undefined) this.indirectCalls.set(this.current, (indirect = new Map()));
      indirect.set(signature, -callee - 1);
    }
  }

  noteAddressTaken(fn: number): void {
    this.addressTaken.add(fn);
  }

  site(loc: SourceLoc, fn: string): number {
    const key = `${loc.file}:${loc.line}:${loc.col}:${fn}`;
    let id = this.siteIds.get(key);
    if (id === undefined) {
      const line = this.unit.sources.get(loc.file)?.split('\n')[loc.line - 1] ?? '';
      id = this.sites.length;
      this.sites.push({ file: loc.file, line: loc.line, col: loc.col, text: line.trim(), fn });
      this.siteIds.set(key, id);
    }
    return id;
  }

  staticLocal(fn: string, decl: Declarator, type: CType): GlobalSym {
    const pending: PendingGlobal = { decl, type, readOnly: false, sym: null };
    const address = GLOBALS_BASE + this.staticBase + this.staticNext;
    if (this.staticNext + slotsOf(type) > this.staticCapacity) {
      throw new UnsupportedError('static-locals', `too many static locals (in ${fn})`, decl.loc, null);
    }
    this.staticNext += slotsOf(type);
    pending.sym = { kind: 'global', name: `${fn}.${decl.name}`, type, address, loc: decl.loc };
    this.staticLocals.push(pending);
    return pending.sym;
  }

  // --- declarations --------------------------------------------------------

  private staticBase = 0;
  private staticNext = 0;
  private staticCapacity = 0;

  private declareAll(): void {
    for (const item of this.unit.items) {
      if (item.kind === 'function') {
        const type = this.scope.resolve(item.type) as FunctionType;
        this.checkSignature(type, item.name, item.loc);
        const sym = this.declareFunction(item.name, type, item.loc);
        const earlier = this.defs.get(sym.index);
        if (earlier !== undefined) {
          // The model's own version of a kernel function replaces it (pasted code often carries one).
          const kernelVersion = this.hooks.kernelFiles.has(earlier.loc.file) && !this.hooks.kernelFiles.has(item.loc.file);
          if (!kernelVersion) throw new ModelError('redefinition', `function '${item.name}' is defined twice`, item.loc, `the first definition is at line ${earlier.loc.line}`);
          sym.type = type;
        }
        this.defs.set(sym.index, item);
        continue;
      }
      if (item.typeOnly !== null) this.scope.resolve(item.typeOnly);
      for (const decl of item.declarators) {
        if (item.storage === 'typedef') {
          this.scope.defineTypedef(decl.name, this.scope.resolve(decl.type));
          continue;
        }
        const type = this.scope.resolve(decl.type);
        if (type.kind === 'function') {
          // A prototype; a builtin of the same name stays the builtin.
          if (builtinId(decl.name) < 0) this.declareFunction(decl.name, type, decl.loc);
          continue;
        }
        this.declareGlobal(decl, type, item.storage === 'extern');
      }
    }
  }

  private checkSignature(type: FunctionType, name: string, loc: SourceLoc): void {
    for (const p of [type.returns, ...type.params]) {
      if (p.kind === 'struct') {
        throw new UnsupportedError('struct-by-value', `'${name}' passes or returns a struct by value`, loc, 'pass a pointer to the struct instead');
      }
    }
  }

  private declareFunction(name: string, type: FunctionType, loc: SourceLoc): FunctionSym {
    const existing = this.scope.lookupGlobal(name);
    if (existing?.kind === 'function') {
      existing.type = type;
      return existing;
    }
    if (existing !== undefined) throw new ModelError('redefinition', `'${name}' is declared twice with different kinds`, loc, null);
    const sym: FunctionSym = { kind: 'function', name, index: this.fns.length, type, loc };
    this.fns.push(sym);
    this.scope.defineGlobal(sym);
    return sym;
  }

  private declareGlobal(decl: Declarator, type: CType, isExtern: boolean): void {
    if (type.kind === 'void') throw new ModelError('void-variable', `variable '${decl.name}' is declared void`, decl.loc, 'give it a type such as int', decl.name.length);
    const existing = this.globals.find((g) => g.decl.name === decl.name);
    if (existing !== undefined) {
      const arrayOfUnknownLength = (t: CType): boolean => t.kind === 'array' && t.length === 0;
      const sameType = typeName(existing.type) === typeName(type)
        || (existing.type.kind === 'array' && type.kind === 'array' && typeName(existing.type.of) === typeName(type.of) && (arrayOfUnknownLength(existing.type) || arrayOfUnknownLength(type)));
      if (!sameType) {
        throw new ModelError('conflicting-types', `conflicting types for '${decl.name}': ${typeName(existing.type)} and ${typeName(type)}`, decl.loc,
          `it was first declared at line ${existing.decl.loc.line}`, decl.name.length);
      }
      if (decl.init !== null && existing.decl.init !== null) throw new ModelError('redefinition', `'${decl.name}' is initialized twice`, decl.loc, null);
      if (decl.init !== null || (existing.type.kind === 'array' && existing.type.length === 0)) {
        this.globals[this.globals.indexOf(existing)] = { decl, type, readOnly: existing.readOnly, sym: null };
      }
      return;
    }
    if (isExtern && decl.init === null) {
      // `extern` without a definition still needs storage in a one-file model.
    }
    this.globals.push({ decl, type, readOnly: this.hooks.readOnlyGlobals.has(decl.name), sym: null });
  }

  /** Assigns addresses: writable globals, room for static locals, then read-only kernel objects. */
  private layoutGlobals(): number {
    let next = 0;
    const place = (g: PendingGlobal): void => {
      if (g.decl.init !== null && g.type.kind === 'array' && g.type.length === 0) g.type = flattenInit(g.type, g.decl.init, this.scope).type;
      if (g.type.kind === 'struct' && g.type.fields === null) {
        throw new ModelError('incomplete-type', `'${g.decl.name}' has incomplete type ${typeName(g.type)}`, g.decl.loc, 'define the struct before the variable');
      }
      g.sym = { kind: 'global', name: g.decl.name, type: g.type, address: GLOBALS_BASE + next, loc: g.decl.loc };
      this.scope.defineGlobal(g.sym);
      next += Math.max(1, slotsOf(g.type));
    };
    const used = this.globals.filter((g) => this.reachable.has(g.decl.name));
    for (const g of used) if (!g.readOnly) place(g);
    this.staticBase = next;
    this.staticCapacity = this.countStaticLocalSlots();
    next += this.staticCapacity;
    for (const g of used) if (g.readOnly) place(g);
    return next;
  }

  /** Static locals are allocated while functions compile; reserve room for them first. */
  private countStaticLocalSlots(): number {
    let slots = 0;
    const visit = (s: Stmt): void => {
      switch (s.kind) {
        case 'compound':
          for (const i of s.items) {
            if (i.kind === 'declaration') {
              if (i.storage === 'static' || i.storage === 'extern') {
                for (const d of i.declarators) slots += Math.max(1, slotsOf(this.scope.resolve(d.type)));
              }
            } else visit(i);
          }
          return;
      case 'if':
          visit(s.then);
          if (s.else !== null) visit(s.else);
          return;
        case 'while':
        case 'do':
        case 'for':
        case 'switch':
        case 'labeled':
          visit(s.body);
          return;
        default:
          return;
      }
    };
    for (const def of this.defs.values()) visit(def.body);
    return slots;
  }

  /**
   * Names the model can reach: everything the model's own code and globals
   * mention, closed over the kernel functions and globals they mention, plus
   * the machine's entries. Kernel objects outside this set take no state.
   */
  private kernelReachable(): Set<string> {
    const reached = new Set<string>([this.hooks.nmiEntry]);
    const work: unknown[] = [];
    const isKernel = (loc: SourceLoc): boolean => this.hooks.kernelFiles.has(loc.file);
    for (const [, def] of this.defs) {
      if (!isKernel(def.loc)) {
        reached.add(def.name);
        work.push(def.body);
      }
    }
    for (const g of this.globals) {
      if (!isKernel(g.decl.loc)) {
        reached.add(g.decl.name);
        work.push(g.decl);
      }
    }
    const kernelDefs = new Map<string, unknown>();
    for (const [, def] of this.defs) if (isKernel(def.loc)) kernelDefs.set(def.name, def.body);
    for (const g of this.globals) if (isKernel(g.decl.loc)) kernelDefs.set(g.decl.name, g.decl);
    for (const name of reached) {
      const node = kernelDefs.get(name);
      if (node !== undefined) work.push(node);
    }
    const reach = (name: string): void => {
      if (reached.has(name)) return;
      reached.add(name);
      const def = kernelDefs.get(name);
      if (def !== undefined) work.push(def);
      if (this.hooks.vectorSources.has(name)) reach(this.hooks.irqEntry);
    };
    for (const g of this.globals) if (g.type.kind === 'struct' && g.type.tag === this.hooks.deviceTag) reach(this.hooks.irqEntry);
    for (const name of [...reached]) if (this.hooks.vectorSources.has(name)) reach(this.hooks.irqEntry);
    while (work.length > 0) collectIdents(work.pop(), reach);
    return reached;
  }

  // --- checks ----------------------------------------------------------------

  private requireFunction(name: string, message: string): number {
    const sym = this.scope.lookupGlobal(name);
    if (sym?.kind !== 'function' || !this.defs.has(sym.index)) {
      throw new ModelError('no-main', message, { file: this.unit.file, line: 1, col: 1 }, name === 'main' ? 'add: int main(void) { ... return 0; }' : null);
    }
    return sym.index;
  }

  private checkCalledFunctionsDefined(infos: readonly FunctionInfo[]): void {
    for (const [, callees] of this.calls) {
      for (const c of callees) {
        const info = infos[c];
        if (c >= 0 && info !== undefined && info.entry < 0) {
          const sym = this.fns[c] as FunctionSym;
          throw new UnsupportedError('undefined-function', `function '${sym.name}' is declared but never defined`, sym.loc,
            `define it in the model (a stub is fine: ${typeName(sym.type.returns)} ${sym.name}(...) { ... })`, sym.name.length);
        }
      }
    }
  }

  /** A function that calls itself before any branch or return can never stop. */
  private checkUnboundedRecursion(): void {
    for (const [index, def] of this.defs) {
      const self = (this.fns[index] as FunctionSym).name;
      for (const item of def.body.items) {
        if (item.kind === 'declaration') {
          for (const d of item.declarators) if (d.init?.kind === 'expr' && callsUnconditionally(d.init.expr, self)) throw unbounded(self, d.loc);
          continue;
        }
        if (item.kind === 'expr') {
          if (callsUnconditionally(item.expr, self)) throw unbounded(self, item.loc);
          continue;
        }
        if (item.kind === 'return' && item.value !== null && callsUnconditionally(item.value, self)) throw unbounded(self, item.loc);
        if (item.kind !== 'empty') break;
      }
    }
  }

  // --- stack sizing ------------------------------------------------------------

  /** Globals of a struct type (and arrays of them). */
  private structTable(tag: string): { addresses: number[]; names: string[]; fields: Map<string, number>; locs: SourceLoc[] } {
    const addresses: number[] = [];
    const names: string[] = [];
    const locs: SourceLoc[] = [];
    const fields = new Map<string, number>();
    for (const g of this.globals) {
      if (g.sym === null) continue;
      let t = g.type;
      let count = 1;
      if (t.kind === 'array') {
        count = t.length;
        t = t.of;
      }
      if (t.kind !== 'struct' || t.tag !== tag || t.fields === null) continue;
      for (const f of t.fields) fields.set(f.name, f.offset);
      for (let i = 0; i < count; i++) {
        addresses.push(g.sym.address + i * t.slots);
        names.push(g.type.kind === 'array' ? `${g.decl.name}[${i}]` : g.decl.name);
        locs.push(g.decl.loc);
      }
    }
    return { addresses, names, fields, locs };
  }

  private stackSlots(infos: readonly FunctionInfo[], nmiEntry: number, irqEntry: number): number {
    const memo = new Map<number, number>();
    const onPath = new Set<number>();
    let largestFrame = 0;
    for (const f of infos) largestFrame = Math.max(largestFrame, f.frameSlots);
    const taken = [...this.addressTaken];
    const signatureOf = (t: number): string => callSignature((this.fns[t] as FunctionSym).type);
    const arityOf = (t: number): number => (this.fns[t] as FunctionSym).type.params.length;
    const calleesOf = (f: number): number[] => {
      const out = [...(this.calls.get(f) ?? [])].filter((c) => c >= 0);
      for (const [signature, argc] of this.indirectCalls.get(f) ?? []) out.push(...indirectCallees(taken, signatureOf, arityOf, signature, argc));
      return out;
    };
    const chain = (f: number): number => {
      const known = memo.get(f);
      if (known !== undefined) return known;
      if (onPath.has(f)) return RECURSION_FRAMES * largestFrame;
      onPath.add(f);
      let deepest = 0;
      for (const c of calleesOf(f)) deepest = Math.max(deepest, chain(c));
      onPath.delete(f);
      const total = (infos[f]?.frameSlots ?? 0) + deepest;
      memo.set(f, total);
      return total;
    };
    let task = chain(this.requireFunction('main', ''));
    for (const f of this.addressTaken) task = Math.max(task, chain(f));
    // Task, then an IRQ on top, then an NMI on top of that.
    const nmi = Frame.HEADER + chain(nmiEntry);
    const irq = irqEntry < 0 ? 0 : Frame.HEADER + chain(irqEntry);
    return task + irq + nmi;
  }

  // --- initial image -------------------------------------------------------------

  private initialImage(slots: number): Int32Array {
    const image = new Int32Array(slots);
    for (const g of [...this.globals, ...this.staticLocals]) {
      if (g.decl.init === null || g.sym === null) continue;
      const base = g.sym.address - GLOBALS_BASE;
      for (const item of flattenInit(g.type, g.decl.init, this.scope).items) {
        const value = this.constantValue(item.expr, item.type);
        storeNumber(image, base + item.offset, widthOf(item.type, item.expr.loc), value);
      }
    }
    return image;
  }

  /** Evaluates a global initializer: constants, addresses of globals and functions, strings. */
  private constantValue(x: Expr, type: CType): number {
    if (x.kind === 'string') return STR_PTR_TAG | this.internString(x.value);
    if (x.kind === 'cast') return this.constantValue(x.arg, type);
    if (x.kind === 'ident') {
      const sym = this.scope.lookup(x.name);
      if (sym?.kind === 'function') {
        this.addressTaken.add(sym.index);
        return FN_PTR_TAG | sym.index;
      }
      if (sym?.kind === 'global' && sym.type.kind === 'array') return sym.address;
    }
    if (x.kind === 'unary' && x.op === '&') {
      const address = this.constantAddress(x.arg);
      if (address !== null) return address;
    }
    if (type.kind === 'pointer' && x.kind === 'int' && x.value === 0n) return 0;
    return this.scope.evalConst(x);
  }

  private constantAddress(x: Expr): number | null {
    if (x.kind === 'ident') {
      const sym = this.scope.lookup(x.name);
      if (sym?.kind === 'global') return sym.address;
      if (sym?.kind === 'function') {
        this.addressTaken.add(sym.index);
        return FN_PTR_TAG | sym.index;
      }
      return null;
    }
    if (x.kind === 'member' && !x.arrow) {
      const base = this.constantAddress(x.object);
      const t = this.constantType(x.object);
      if (base === null || t?.kind !== 'struct' || t.fields === null) return null;
      const f = t.fields.find((field) => field.name === x.field);
      return f === undefined ? null : base + f.offset;
    }
    if (x.kind === 'index') {
      const base = this.constantAddress(x.array);
      const t = this.constantType(x.array);
      if (base === null || t?.kind !== 'array') return null;
      return base + this.scope.evalConst(x.index) * slotsOf(t.of);
    }
    return null;
  }

  private constantType(x: Expr): CType | null {
    if (x.kind === 'ident') {
      const sym = this.scope.lookup(x.name);
      return sym?.kind === 'global' ? sym.type : null;
    }
    if (x.kind === 'member' && !x.arrow) {
      const t = this.constantType(x.object);
      if (t?.kind !== 'struct' || t.fields === null) return null;
      return t.fields.find((f) => f.name === x.field)?.type ?? null;
    }
    if (x.kind === 'index') {
      const t = this.constantType(x.array);
      return t?.kind === 'array' ? t.of : null;
    }
    return null;
  }
}

/** Calls `visit` with every identifier mentioned anywhere inside an AST node. */
function collectIdents(node: unknown, visit: (name: string) => void): void {
  walkAst(node, (kind, record) => {
    if (kind === 'ident' && typeof record.name === 'string') visit(record.name);
  });
}

function globalInfo(g: PendingGlobal, isModel: boolean): VariableInfo {
  const t = g.type;
  const scalar = t.kind === 'int' || t.kind === 'bool' || t.kind === 'pointer';
  return {
    name: g.sym?.name ?? g.decl.name,
    type: t,
    offset: g.sym?.address ?? 0,
    slots: slotsOf(t),
    width: scalar ? widthOf(t, g.decl.loc) : -1,
    isModel,
  };
}

function undefinedFunction(sym: FunctionSym): FunctionInfo {
  return {
    name: sym.name, index: sym.index, entry: -1, params: [], locals: [], frameSlots: Frame.HEADER,
    spillOffset: Frame.HEADER, returnsValue: sym.type.returns.kind !== 'void', isModel: true, atomic: false,
    signature: callSignature(sym.type), loc: sym.loc,
  };
}

function unbounded(name: string, loc: SourceLoc): UnsupportedError {
  return new UnsupportedError('unbounded-recursion', `'${name}' calls itself unconditionally: unbounded recursion`, loc,
    'irqcheck needs a bounded stack; make the recursive call conditional or write a loop', name.length);
}

/** Whether `x` always calls `name` (not under ?:, && or ||). */
function callsUnconditionally(x: Expr, name: string): boolean {
  switch (x.kind) {
    case 'call':
      return (x.callee.kind === 'ident' && x.callee.name === name) || x.args.some((a) => callsUnconditionally(a, name));
    case 'assign':
      return callsUnconditionally(x.value, name) || callsUnconditionally(x.target, name);
    case 'binary':
      return x.op !== '&&' && x.op !== '||' && (callsUnconditionally(x.left, name) || callsUnconditionally(x.right, name));
    case 'unary':
    case 'cast':
      return callsUnconditionally(x.arg, name);
    case 'comma':
      return callsUnconditionally(x.left, name) || callsUnconditionally(x.right, name);
    default:
      return false;
  }
}

