/**
 * Abstract time. Time passes only when no CPU can otherwise make progress
 * (or, with --spurious-timeouts, whenever a CPU counts down): a CPU in a
 * countdown loop (`while (...) { ...; ndelay(SPINUNIT); timeout -= SPINUNIT; }`)
 * then jumps straight to the iteration where its path changes — the timeout
 * — instead of going around 10^7 times.
 *
 * The jump is found by acceleration: one iteration gives each local's
 * change; iterations are extrapolated linearly and checked by running the
 * extrapolated iteration (same path, same change), galloping then bisecting
 * to the first iteration that differs. Rare path: may allocate.
 */
import { Cpu, Frame, loadNumber, normalize, storeNumber, Width, type FunctionInfo } from '../compile/index.js';
import { StepFlag, type Vm } from './vm.js';

/** Where a countdown ends. */
export interface TimeoutJump {
  /** The state at the start of the iteration that takes the timeout path. */
  readonly state: Int32Array;
  readonly iterations: number;
  /** Time waited, from the delays in one iteration (1 ns per iteration without delays). */
  readonly ns: number;
}

const ITERATION_STEP_LIMIT = 64;
const MAX_ITERATIONS = 2 ** 40;

interface Iteration {
  readonly after: Int32Array;
  readonly path: number;
  readonly ns: number;
}

interface Counter {
  readonly address: number;
  readonly width: number;
}

/** Runs CPU c alone from `from` until it is back at the same pc and frame; null if it is not a loop. */
function iterate(vm: Vm, from: Int32Array, c: number): Iteration | null {
  const cb = vm.layout.cpuBase0 + c * vm.layout.cpuSlots;
  const pc0 = from[cb + Cpu.PC] as number;
  const fp0 = from[cb + Cpu.FP] as number;
  const s = Int32Array.from(from);
  let path = 17;
  let ns = 0;
  for (let k = 0; k < ITERATION_STEP_LIMIT; k++) {
    const flags = vm.step(s, c);
    if ((flags & (StepFlag.WRITE | StepFlag.VIOLATION)) !== 0) return null;
    ns += vm.delayNs;
    path = (Math.imul(path, 31) + (s[cb + Cpu.PC] as number)) | 0;
    if ((s[cb + Cpu.PC] as number) === pc0 && (s[cb + Cpu.FP] as number) === fp0) return { after: s, path, ns };
  }
  return null;
}

/** Every scalar local in CPU c's frames, by absolute address. */
function locals(vm: Vm, s: Int32Array, c: number): Counter[] {
  const out: Counter[] = [];
  const functions: readonly FunctionInfo[] = vm.program.functions;
  let fp = s[vm.layout.cpuBase0 + c * vm.layout.cpuSlots + Cpu.FP] as number;
  while (fp > 0) {
    const fn = s[fp + Frame.FN] as number;
    if (fn > 0) {
      for (const v of functions[fn - 1]?.locals ?? []) if (v.width >= 0) out.push({ address: fp + v.offset, width: v.width });
    }
    fp = s[fp + Frame.PREV_FP] as number;
  }
  return out;
}

/** The range of values a width holds (64-bit values are exact to 2^53). */
function widthRange(width: number): [number, number] {
  switch (width) {
    case Width.I8: return [-128, 127];
    case Width.U8: return [0, 255];
    case Width.I16: return [-32768, 32767];
    case Width.U16: return [0, 65535];
    case Width.I32: return [-(2 ** 31), 2 ** 31 - 1];
    case Width.U32: return [0, 2 ** 32 - 1];
    case Width.BOOL: return [0, 1];
    case Width.U64: return [0, 2 ** 53];
    default: return [-(2 ** 53), 2 ** 53];
  }
}

/** How many iterations a counter at `v` changing by `delta` stays in its width's range. */
function iterationsInRange(v: number, delta: number, width: number): number {
  const [min, max] = widthRange(width);
  if (delta > 0) return Math.floor((max - v) / delta);
  if (delta < 0) return Math.floor((v - min) / -delta);
  return MAX_ITERATIONS;
}

/** Where CPU c's countdown in `from` times out, or null if it never does. */
export function findTimeout(vm: Vm, from: Int32Array, c: number): TimeoutJump | null {
  const first = iterate(vm, from, c);
  if (first === null) return null;
  const counters = locals(vm, from, c).filter((v) => loadNumber(first.after, v.address, v.width) !== loadNumber(from, v.address, v.width));
  if (counters.length === 0) return null;
  const deltas = counters.map((v) => loadNumber(first.after, v.address, v.width) - loadNumber(from, v.address, v.width));
  const extrapolate = (k: number): Int32Array => {
    const s = Int32Array.from(from);
    counters.forEach((v, i) => storeNumber(s, v.address, v.width, normalize(loadNumber(from, v.address, v.width) + k * (deltas[i] as number), v.width)));
    return s;
  };
  const sameRegime = (k: number): boolean => {
    const sk = extrapolate(k);
    const it = iterate(vm, sk, c);
    if (it === null || it.path !== first.path) return false;
    return counters.every((v, i) => loadNumber(it.after, v.address, v.width) === normalize(loadNumber(sk, v.address, v.width) + (deltas[i] as number), v.width));
  };
  // Extrapolating past a counter's range would wrap it (an unsigned countdown
  // becomes huge again) and break the bisection's monotonicity: stop there.
  const limit = Math.min(MAX_ITERATIONS, ...counters.map((v, i) => iterationsInRange(loadNumber(from, v.address, v.width), deltas[i] as number, v.width)));
  let lo = 0;
  let hi = 1;
  while (sameRegime(hi)) {
    lo = hi;
    if (hi >= limit) return null;
    hi = Math.min(hi * 2, limit);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (sameRegime(mid)) lo = mid;
    else hi = mid;
  }
  return { state: extrapolate(hi), iterations: hi, ns: hi * Math.max(1, first.ns) };
}
