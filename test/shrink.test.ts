/**
 * Shrinking --dfs traces: a shrunk trace is never longer, never has more
 * external events, still ends in a violation of the same kind, and replays
 * from its token. On the racy counter, DFS's first trace carries external
 * NMIs that play no part; shrinking drops them with their handlers.
 */
import { describe, expect, it } from 'vitest';
import { decodeReplayToken, type Violation } from '../src/machine/index.js';
import { checkModel, configFor, loadModel, type CheckSettings } from '../src/pipeline.js';
import { replayModel } from '../src/replay.js';
import { contextSwitches } from '../src/shrink.js';
import { fixture } from './report/fixtures.js';

const envEvents = (v: Violation): number => v.trace.filter((s) => s.event === 'external-nmi' || s.event === 'device-raise' || s.event === 'early-timeout').length;

async function dfs(name: string, shrinkTraces: boolean): Promise<{ violations: readonly (Violation & { replay: string })[]; unit: Awaited<ReturnType<typeof loadModel>> }> {
  const unit = await loadModel(fixture(name));
  const settings: CheckSettings = { strict: false, spuriousTimeouts: false, search: 'dfs', limits: {}, shrinkTraces };
  return { violations: checkModel(unit, configFor(unit, {}), settings).violations, unit };
}

describe('shrinking DFS traces', () => {
  for (const name of ['racy-count.c', 'msi-move.c', 'nmi-ipi.c', 'ipi-deadlock.c']) {
    it(`${name}: no longer, no more external events, same kinds, and each replays`, async () => {
      const raw = await dfs(name, false);
      const shrunk = await dfs(name, true);
      expect(shrunk.violations.map((v) => v.kind)).toEqual(raw.violations.map((v) => v.kind));
      raw.violations.forEach((r, i) => {
        const s = shrunk.violations[i] as Violation & { replay: string };
        expect(s.path.length).toBeLessThanOrEqual(r.path.length);
        expect(envEvents(s)).toBeLessThanOrEqual(envEvents(r));
        const token = decodeReplayToken(s.replay);
        if (token === null) throw new Error('bad token');
        const replayed = replayModel(shrunk.unit, token);
        expect(replayed.exitCode).toBe(1);
        expect(replayed.text).toMatch(new RegExp(`^replay: reproduced ${s.kind}`));
      });
    });
  }

  it('drops the external NMIs that play no part in the racy counter, with their handlers', async () => {
    const raw = (await dfs('racy-count.c', false)).violations[0] as Violation;
    const shrunk = (await dfs('racy-count.c', true)).violations[0] as Violation;
    expect(envEvents(raw)).toBeGreaterThan(0);
    expect(envEvents(shrunk)).toBe(0);
    expect(shrunk.trace.some((s) => s.context === 'nmi')).toBe(false);
    expect(shrunk.path.length).toBeLessThan(raw.path.length);
    expect(contextSwitches(shrunk.path)).toBeLessThanOrEqual(contextSwitches(raw.path));
  });
});
