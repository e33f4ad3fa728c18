/**
 * `--sarif FILE`: SARIF 2.1.0 for CI code scanning. One result per
 * violation or warning (level `error` or `warning`) at its source location,
 * ruleId = its kind, and its trace as a code flow with one thread flow per
 * CPU (and one for the environment); `executionOrder` gives the
 * interleaving, `nestingLevel` the interrupt nesting.
 *
 * Locations in files the user does not have (the kernel prelude,
 * `<irqcheck/kernel.h>`) carry their text in the message but no physical
 * location: code-scanning services reject URIs into files not in the
 * repository. A result located there is placed on the last model line of
 * its trace instead.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckOutcome, ReportedViolation } from './outcome.js';
import { ruleDescription } from './sarif-rules.js';

/** Options of the SARIF log. */
export interface SarifOptions {
  /** irqcheck's version, for `tool.driver.version`. */
  readonly toolVersion: string;
}

interface SarifMessage {
  readonly text: string;
}

interface SarifPhysicalLocation {
  readonly artifactLocation: { readonly uri: string };
  readonly region: { readonly startLine: number };
}

/** A SARIF `location`. */
export interface SarifLocation {
  readonly physicalLocation?: SarifPhysicalLocation;
  readonly message?: SarifMessage;
}

interface SarifThreadFlowLocation {
  readonly location: SarifLocation;
  readonly nestingLevel: number;
  readonly executionOrder: number;
  readonly kinds?: readonly string[];
}

/** A SARIF `result`. */
export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: 'error' | 'warning';
  readonly message: SarifMessage;
  readonly locations: readonly SarifLocation[];
  readonly codeFlows: readonly {
    readonly message: SarifMessage;
    readonly threadFlows: readonly { readonly id: string; readonly message: SarifMessage; readonly locations: readonly SarifThreadFlowLocation[] }[];
  }[];
  readonly properties: { readonly replay: string; readonly config: string };
}

/** A SARIF 2.1.0 log with one run. */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly {
    readonly tool: {
      readonly driver: {
        readonly name: string;
        readonly version: string;
        readonly rules: readonly { readonly id: string; readonly shortDescription: SarifMessage; readonly defaultConfiguration: { readonly level: 'error' | 'warning' } }[];
      };
    };
    readonly results: readonly SarifResult[];
  }[];
}

/** Files irqcheck supplies itself (`<irqcheck/kernel.h>`): not in the user's tree. */
const isBuiltinFile = (file: string): boolean => file.startsWith('<');

/** A path as a URI reference: relative paths stay relative (to the repository root), absolute ones become file: URIs. */
export function fileUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

function physical(file: string, line: number): SarifPhysicalLocation {
  return { artifactLocation: { uri: fileUri(file) }, region: { startLine: Math.max(1, line) } };
}

function stepLocation(file: string, line: number, text: string): SarifLocation {
  if (isBuiltinFile(file) || line <= 0) return { message: { text } };
  return { physicalLocation: physical(file, line), message: { text } };
}

function resultLocation(modelFile: string, v: ReportedViolation): SarifLocation {
  if (!isBuiltinFile(v.location.file) && v.location.line > 0) return { physicalLocation: physical(v.location.file, v.location.line) };
  for (let i = v.trace.length - 1; i >= 0; i--) {
    const s = v.trace[i];
    if (s !== undefined && !isBuiltinFile(s.file) && s.line > 0) return { physicalLocation: physical(s.file, s.line) };
  }
  return { physicalLocation: physical(modelFile, 1) };
}

function actorName(cpu: number | null): string {
  return cpu === null ? 'env' : `CPU${cpu}`;
}

function result(o: CheckOutcome, v: ReportedViolation, ruleIndex: number): SarifResult {
  const config = `cpus=${o.config.cpus} smt=${o.config.smt} nmis=${o.config.nmis}`;
  const where = isBuiltinFile(v.location.file) ? ` (found in ${v.location.file}:${v.location.line})` : '';
  const flows = new Map<string, SarifThreadFlowLocation[]>();
  for (const s of v.trace) {
    const actor = actorName(s.cpu);
    const text = `step ${s.index}, ${actor}${s.context === 'task' || s.context === 'idle' || s.cpu === null ? '' : ` [${s.context === 'exception' ? '#BP' : s.context.toUpperCase()}]`}: ${s.text}${s.note === null ? '' : ` (${s.note})`}`;
    const entry: SarifThreadFlowLocation = {
      location: stepLocation(s.file, s.line, text),
      nestingLevel: s.depth,
      executionOrder: s.index,
      ...(s.event === 'nmi-taken' || s.event === 'irq-taken' ? { kinds: ['enter'] } : s.note?.includes('IRET') === true ? { kinds: ['exit'] } : {}),
    };
    const list = flows.get(actor) ?? [];
    list.push(entry);
    flows.set(actor, list);
  }
  return {
    ruleId: v.kind,
    ruleIndex,
    level: v.severity,
    message: { text: `${v.message}${where}\nReplay: npx irqcheck replay ${o.file} ${v.replay}` },
    locations: [resultLocation(o.file, v)],
    codeFlows: [{
      message: { text: `${v.trace.length} steps (${config})` },
      threadFlows: [...flows].map(([id, locations]) => ({ id, message: { text: id === 'env' ? 'the environment: external NMIs, devices, time' : id }, locations })),
    }],
    properties: { replay: v.replay, config },
  };
}

/** The SARIF log of one or more checked configurations (a sweep gives several). */
export function toSarif(outcomes: readonly CheckOutcome[], options: SarifOptions): SarifLog {
  const rules: { id: string; shortDescription: SarifMessage; defaultConfiguration: { level: 'error' | 'warning' } }[] = [];
  const ruleIndex = (v: ReportedViolation): number => {
    const at = rules.findIndex((r) => r.id === v.kind);
    if (at >= 0) return at;
    rules.push({ id: v.kind, shortDescription: { text: ruleDescription(v.kind) }, defaultConfiguration: { level: v.severity } });
    return rules.length - 1;
  };
  const results = outcomes.flatMap((o) => o.violations.map((v) => result(o, v, ruleIndex(v))));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'irqcheck', version: options.toolVersion, rules } }, results }],
  };
}
