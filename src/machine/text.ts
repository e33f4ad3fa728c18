/**
 * Cross-modifying code (SDM 8.1.3): a CPU that has not executed a
 * serializing instruction since a byte of an instruction changed may still
 * fetch the old byte. Each text site keeps, per CPU, the bytes that CPU may
 * still see (as of its last serializing event: IRET, sync_core()); a fetch
 * sees every byte as either the current or that stale one. A view that is
 * neither the old nor the new instruction (and does not start with INT3) is
 * a torn instruction.
 *
 * Fetches run when a CPU executes a site; serialization at every IRET.
 * Allocates nothing.
 */
import type { Program } from '../compile/index.js';
import type { Vm } from './vm.js';

export const INT3_OPCODE = 0xcc;
export const TEXT_SITE_MAX = 8;

/** What a fetch can see. */
export const Fetch = {
  OLD: 1,
  NEW: 2,
  INT3: 4,
  TORN: 8,
} as const;

export interface TextSiteFields {
  readonly len: number;
  readonly old: number;
  readonly new: number;
  readonly bytes: number;
  readonly stale: number;
}

export function textSiteFields(p: Program): TextSiteFields | null {
  if (p.textSites.addresses.length === 0) return null;
  const at = (name: string): number => {
    const v = p.textSites.fields.get(name);
    if (v === undefined) throw new Error(`irqcheck bug: text_site has no ${name}`);
    return v;
  };
  return { len: at('len'), old: at('old'), new: at('new'), bytes: at('bytes'), stale: at('stale') };
}

/**
 * The set of Fetch outcomes CPU c may see at the site at `d` (a bit set).
 * Enumerates the mixes of stale and current bytes (at most 2^8).
 */
export function fetchOutcomes(s: Int32Array, d: number, f: TextSiteFields, c: number): number {
  const len = Math.min(TEXT_SITE_MAX, Math.max(1, s[d + f.len] as number));
  const stale = d + f.stale + c * TEXT_SITE_MAX;
  let differing = 0;
  for (let i = 0; i < len; i++) if ((s[d + f.bytes + i] as number) !== (s[stale + i] as number)) differing |= 1 << i;
  let outcomes = 0;
  // Each subset of the differing bytes seen stale.
  for (let mask = differing; ; mask = (mask - 1) & differing) {
    outcomes |= classify(s, d, f, stale, len, mask);
    if (mask === 0) break;
  }
  return outcomes;
}

function classify(s: Int32Array, d: number, f: TextSiteFields, stale: number, len: number, staleMask: number): number {
  const byte = (i: number): number => (((staleMask >> i) & 1) !== 0 ? (s[stale + i] as number) : (s[d + f.bytes + i] as number));
  if (byte(0) === INT3_OPCODE) return Fetch.INT3;
  let isOld = true;
  let isNew = true;
  for (let i = 0; i < len; i++) {
    const b = byte(i);
    if (b !== (s[d + f.old + i] as number)) isOld = false;
    if (b !== (s[d + f.new + i] as number)) isNew = false;
  }
  return isOld ? Fetch.OLD : isNew ? Fetch.NEW : Fetch.TORN;
}

/** A torn view CPU c may see, as hex bytes (for the message). Rare path. */
export function tornView(s: Int32Array, d: number, f: TextSiteFields, c: number): string {
  const len = Math.min(TEXT_SITE_MAX, Math.max(1, s[d + f.len] as number));
  const stale = d + f.stale + c * TEXT_SITE_MAX;
  let differing = 0;
  for (let i = 0; i < len; i++) if ((s[d + f.bytes + i] as number) !== (s[stale + i] as number)) differing |= 1 << i;
  for (let mask = differing; ; mask = (mask - 1) & differing) {
    if (classify(s, d, f, stale, len, mask) === Fetch.TORN) {
      const out: string[] = [];
      for (let i = 0; i < len; i++) out.push(((((mask >> i) & 1) !== 0 ? s[stale + i] : s[d + f.bytes + i]) as number).toString(16).padStart(2, '0'));
      return out.join(' ');
    }
    if (mask === 0) break;
  }
  return '';
}

/** The stepping CPU serializes: from now on it sees every site's current text. */
export function serialize(vm: Vm): void {
  const f = vm.textSites;
  if (f === null) return;
  const s = vm.state;
  const sites = vm.program.textSites.addresses;
  for (let k = 0; k < sites.length; k++) {
    const d = sites[k] as number;
    const stale = d + f.stale + vm.cpu * TEXT_SITE_MAX;
    vm.touch(d + f.bytes, TEXT_SITE_MAX, false);
    vm.touch(stale, TEXT_SITE_MAX, true);
    for (let i = 0; i < TEXT_SITE_MAX; i++) s[stale + i] = s[d + f.bytes + i] as number;
  }
}

/** Boot: every site's text is its old instruction, and every CPU sees it. */
export function bootTextSites(p: Program, s: Int32Array): void {
  const f = textSiteFields(p);
  if (f === null) return;
  for (const d of p.textSites.addresses) {
    for (let i = 0; i < TEXT_SITE_MAX; i++) s[d + f.bytes + i] = s[d + f.old + i] as number;
    for (let c = 0; c < p.config.cpus; c++) {
      for (let i = 0; i < TEXT_SITE_MAX; i++) s[d + f.stale + c * TEXT_SITE_MAX + i] = s[d + f.old + i] as number;
    }
  }
}
