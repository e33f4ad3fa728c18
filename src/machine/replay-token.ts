/**
 * Replay tokens: a violation's configuration and transition list on one
 * line, e.g. `irqcheck:1:c4s2n1:0.100.2.300`, that `irqcheck replay` accepts.
 */
import type { ModelConfig } from '../compile/index.js';

const PREFIX = 'irqcheck:1:';

export interface ReplayToken {
  readonly config: ModelConfig;
  readonly path: readonly number[];
}

export function encodeReplayToken(config: ModelConfig, path: readonly number[]): string {
  return `${PREFIX}c${config.cpus}s${config.smt}n${config.nmis}:${path.map((t) => t.toString(36)).join('.')}`;
}

/** Parses a token; null if it is not one. */
export function decodeReplayToken(token: string): ReplayToken | null {
  const m = /^irqcheck:1:c(\d+)s(\d+)n(\d+):([0-9a-z.]*)$/.exec(token.trim());
  if (m === null) return null;
  const path = (m[4] ?? '') === '' ? [] : (m[4] ?? '').split('.').map((x) => parseInt(x, 36));
  if (path.some((x) => Number.isNaN(x))) return null;
  return { config: { cpus: Number(m[1]), smt: Number(m[2]), nmis: Number(m[3]) }, path };
}
