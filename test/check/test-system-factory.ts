/**
 * The hand-made systems of systems.ts behind a `SystemFactory` export, so
 * that the parallel search's workers can build them: `buildTestSystem(spec)`
 * with a spec that crosses threads. Imports only systems.ts (and types), so
 * that parallel-support.ts can transpile the two into plain JavaScript.
 */
import type { TransitionSystem } from '../../src/check/index.js';
import { counterSystem, endlessSystem, graphSystem, gridSystem, lostUpdateSystem, type GraphSpec } from './systems.js';

/** A hand-made system, described so that it can cross threads. */
export type TestSystemSpec =
  | { readonly kind: 'graph'; readonly spec: GraphSpec }
  | { readonly kind: 'counter'; readonly n: number; readonly opts?: { violateAt?: number; warnFrom?: number; slots?: number } }
  | { readonly kind: 'lost-update' }
  | { readonly kind: 'endless' }
  | { readonly kind: 'grid'; readonly n: number };

/** The factory export: builds the system a spec describes (here or in a worker). */
export function buildTestSystem(spec: TestSystemSpec): TransitionSystem {
  switch (spec.kind) {
    case 'graph': return graphSystem(spec.spec);
    case 'counter': return counterSystem(spec.n, spec.opts ?? {});
    case 'lost-update': return lostUpdateSystem();
    case 'endless': return endlessSystem();
    case 'grid': return gridSystem(spec.n);
    default: {
      const never: never = spec;
      throw new Error(`unknown test system ${JSON.stringify(never)}`);
    }
  }
}
