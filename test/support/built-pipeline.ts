/**
 * The pipeline as `npm run build` compiled it (dist/), loaded by Node
 * itself. Suites that search large state spaces use it: vitest's transform
 * of the TypeScript sources turns every imported binding into a getter on a
 * module object, which makes the search's hot loop about five times slower
 * than under plain Node. vitest.config.ts leaves dist/ untransformed.
 */
import type * as Pipeline from '../../src/pipeline.js';

const built = (await import('../../dist/pipeline.js')) as typeof Pipeline;

export const { checkModel, checkModelParallel, configFor, DEFAULT_SETTINGS, loadModel, loadModelSource } = built;
export type { CheckSettings } from '../../src/pipeline.js';
