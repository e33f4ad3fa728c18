/**
 * The shared visited table behaves like a Set of 64-bit pairs: on one
 * thread (against a JS Set, zero halves and low-bit collisions included),
 * and under concurrent inserts from worker threads inserting overlapping
 * random sets, where each distinct fingerprint must be reported new to
 * exactly one inserter; also when copied into a larger table by several
 * threads at once, as the parallel search grows it.
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALREADY_PRESENT, SharedFingerprintSet, TABLE_FULL } from '../../src/check/shared-fingerprint-set.js';
import { ensureBuilt, ROOT } from '../report/built-cli.js';
import { prng } from './systems.js';

const key = (hi: number, lo: number): string => (hi >>> 0) + ':' + (lo >>> 0);

describe('SharedFingerprintSet on one thread', () => {
  it('behaves like a Set of pairs under many random inserts (seeded)', () => {
    for (const seed of [1, 2, 3]) {
      const random = prng(seed);
      const set = SharedFingerprintSet.create(1 << 17);
      const model = new Set<string>();
      let mismatches = 0;
      for (let i = 0; i < 60_000; i++) {
        // Small domains force duplicates, zero halves (the all-zero pair too) and collisions in the low bits.
        const hi = random() % 64 === 0 ? 0 : random() % 4096;
        const lo = random() % 64 === 0 ? 0 : (random() & ~0xfff) | (random() % 8);
        const k = key(hi, lo);
        const answer = set.add(hi, lo);
        if ((answer !== ALREADY_PRESENT) !== !model.has(k)) mismatches++;
        model.add(k);
        if (answer !== ALREADY_PRESENT && answer !== model.size) mismatches++;
        if (set.size !== model.size) mismatches++;
      }
      for (let i = 0; i < 5_000; i++) {
        const hi = random() % 4096;
        const lo = (random() & ~0xfff) | (random() % 8);
        if (set.has(hi, lo) !== model.has(key(hi, lo))) mismatches++;
      }
      expect(mismatches).toBe(0);
      expect(set.size).toBe(model.size);
    }
  });

  it('takes halves modulo 2³², signed or unsigned', () => {
    const set = SharedFingerprintSet.create(16);
    expect(set.add(0xffffffff, 0x80000000)).toBe(1);
    expect(set.add(-1, -0x80000000)).toBe(ALREADY_PRESENT);
    expect(set.has(-1, 0x80000000)).toBe(true);
    expect(set.add(0, 0)).toBe(2);
    expect(set.add(0, 0)).toBe(ALREADY_PRESENT);
  });

  it('says when it is full instead of probing forever', () => {
    const set = SharedFingerprintSet.create(16);
    for (let i = 1; i <= 16; i++) expect(set.add(i, i * 7)).toBe(i);
    expect(set.add(99, 99)).toBe(TABLE_FULL);
    expect(set.add(5, 35)).toBe(ALREADY_PRESENT);
    expect(set.has(99, 99)).toBe(false);
  });

  it('keeps fingerprints with a zero half apart, exactly', () => {
    const set = SharedFingerprintSet.create(16);
    expect(set.add(0, 5)).toBe(1);
    expect(set.add(5, 0)).toBe(2);
    expect(set.add(5, 5)).toBe(3);
    expect(set.add(0, 0)).toBe(4);
    for (const [hi, lo] of [[0, 5], [5, 0], [5, 5], [0, 0]]) expect(set.add(hi, lo)).toBe(ALREADY_PRESENT);
    expect(set.has(0, 6)).toBe(false);
    expect(set.has(6, 0)).toBe(false);
    // The side table has 256 entries at this size; it says when it is full too.
    for (let lo = 1; lo <= 300; lo++) set.add(0, lo * 8191);
    expect(set.add(0, 7)).toBe(TABLE_FULL);
    expect(set.has(0, 5 * 8191)).toBe(true);
  });

  it('is seen through another view of its buffer, and copies into a larger table', () => {
    const set = SharedFingerprintSet.create(64);
    for (let i = 0; i < 40; i++) set.add(i * 31, i * 0x01000193);
    const view = new SharedFingerprintSet(set.buffer);
    expect(view.size).toBe(40);
    expect(view.has(31, 0x01000193)).toBe(true);
    const larger = SharedFingerprintSet.create(128);
    set.copyInto(larger, 0, 32);
    set.copyInto(larger, 32, 64);
    expect(larger.size).toBe(40);
    for (let i = 0; i < 40; i++) expect(larger.has(i * 31, i * 0x01000193)).toBe(true);
    expect(larger.bytes).toBe(SharedFingerprintSet.bytesFor(128));
  });
});

/**
 * A worker that waits for the start flag, then inserts pseudo-random pairs
 * in rounds that all workers start together, and records, per insert,
 * whether it was told "new"; or copies a slot range into a target.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { SharedFingerprintSet } = await import(workerData.moduleUrl);
  const start = new Int32Array(workerData.start);
  Atomics.wait(start, 0, 0);
  const set = new SharedFingerprintSet(workerData.table);
  if (workerData.copyTo !== undefined) {
    set.copyInto(new SharedFingerprintSet(workerData.copyTo), workerData.from, workerData.to);
    parentPort.postMessage(null);
    return;
  }
  let a = workerData.seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const { rounds, batch, domain, workers } = workerData;
  const count = rounds * batch;
  const his = new Int32Array(count);
  const los = new Int32Array(count);
  const fresh = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    // Each round draws from its own part of the domain, so that most of its pairs are new.
    const r = (Math.floor(i / batch) * domain + (next() % domain)) >>> 0;
    // Spread over both halves, with equal low bits on purpose (long probe runs).
    his[i] = r % 97 === 0 ? 0 : Math.imul(r, 0x9e3779b1);
    los[i] = (r >>> 4) << 20;
  }
  // Rounds start together (a barrier), so that workers with the same seed race on the same new pairs.
  const barrier = new Int32Array(workerData.barrier);
  for (let round = 0; round < rounds; round++) {
    const target = workers * (round + 1);
    if (Atomics.add(barrier, 0, 1) + 1 === target) Atomics.notify(barrier, 0);
    else for (let seen = Atomics.load(barrier, 0); seen < target; seen = Atomics.load(barrier, 0)) Atomics.wait(barrier, 0, seen, 50);
    for (let i = round * batch; i < (round + 1) * batch; i++) fresh[i] = set.add(his[i], los[i]) > 0 ? 1 : 0;
  }
  parentPort.postMessage({ his, los, fresh });
})();
`;

describe('SharedFingerprintSet under concurrent inserts', () => {
  let moduleUrl = '';
  beforeAll(() => {
    ensureBuilt();
    moduleUrl = pathToFileURL(`${ROOT}dist/check/shared-fingerprint-set.js`).href;
  }, 180_000);

  /** Runs `jobs` workers on the table, released together; resolves to their messages. */
  async function runWorkers<T>(jobs: readonly Record<string, unknown>[]): Promise<T[]> {
    const start = new SharedArrayBuffer(4);
    const workers = jobs.map((job) => new Worker(WORKER_CODE, { eval: true, workerData: { ...job, moduleUrl, start } }));
    const answers = workers.map((w) => new Promise<T>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    }));
    await new Promise((resolve) => setTimeout(resolve, 100)); // let every worker reach the start line
    Atomics.store(new Int32Array(start), 0, 1);
    Atomics.notify(new Int32Array(start), 0);
    try {
      return await Promise.all(answers);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }

  it('tells exactly one inserter that each distinct fingerprint is new (4 workers, overlapping sets, two pairs inserting in the same order)', async () => {
    for (const [domain, batch] of [[1_000, 400], [100_000, 1_000]] as const) {
      const table = SharedFingerprintSet.create(1 << 21);
      const barrier = new SharedArrayBuffer(4);
      const answers = await runWorkers<{ his: Int32Array; los: Int32Array; fresh: Uint8Array }>(
        [11, 11, 22, 22].map((seed) => ({ seed, rounds: 200, batch, domain, workers: 4, barrier, table: table.buffer })),
      );
      const inserted = new Set<string>();
      const freshCount = new Map<string, number>();
      for (const { his, los, fresh } of answers) {
        for (let i = 0; i < his.length; i++) {
          const k = key(his[i], los[i]);
          inserted.add(k);
          if (fresh[i] === 1) freshCount.set(k, (freshCount.get(k) ?? 0) + 1);
        }
      }
      expect(table.size).toBe(inserted.size);
      expect(freshCount.size).toBe(inserted.size);
      expect([...freshCount.values()].every((n) => n === 1)).toBe(true);
      let missing = 0;
      for (const { his, los } of answers) {
        for (let i = 0; i < his.length; i++) if (!table.has(his[i], los[i])) missing++;
      }
      expect(missing).toBe(0);
    }
  });

  it('is copied into a larger table by several threads at once', async () => {
    const random = prng(5);
    const table = SharedFingerprintSet.create(1 << 14);
    const model = new Set<string>();
    while (model.size < 12_000) {
      // One in 50 with a zero half (the side table).
      const hi = random() % 100 === 0 ? 0 : random() | 0;
      const lo = random() % 100 === 1 ? 0 : (random() & 0xffff0000) | 0;
      table.add(hi, lo);
      model.add(key(hi, lo));
    }
    expect(table.size).toBe(model.size);
    const larger = SharedFingerprintSet.create(1 << 15);
    const share = table.capacity / 4;
    await runWorkers<null>([0, 1, 2, 3].map((k) => ({ table: table.buffer, copyTo: larger.buffer, from: k * share, to: (k + 1) * share })));
    expect(larger.size).toBe(model.size);
    const missing = [...model].filter((k) => {
      const [hi, lo] = k.split(':').map(Number);
      return !larger.has(hi, lo);
    });
    expect(missing).toEqual([]);
  });
});
