// Reads the tenant registry (README "Running for many tenants"): TENANT_REGISTRY, a JSON list of tenants, and/or
// TENANT_REGISTRY_DIR, one folder per tenant holding one file per field (a Kubernetes secret mounted as a volume).
// Everything is checked at once; each problem names the source, the tenant and the field, never a secret's value.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, readSecretFile, redactUrl, type TenantRegistrySource } from '../config';
import { DIR_FIELDS, FILE_FIELDS, SHOWN_FIELDS, tenantEntrySchema, URL_FIELDS, type TenantConfig } from './schema';

/** How the registry's source is named in messages: the settings that point at it. */
export function describeRegistrySource(source: TenantRegistrySource): string {
  return [
    source.file !== undefined ? `TENANT_REGISTRY=${source.file}` : undefined,
    source.dir !== undefined ? `TENANT_REGISTRY_DIR=${source.dir}` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
}

/** Every tenant of the registry, validated; throws a ConfigError listing every problem. */
export function readTenantRegistry(source: TenantRegistrySource): TenantConfig[] {
  const problems: string[] = [];
  const found: { where: string; tenants: TenantConfig[] }[] = [];
  if (source.file !== undefined) {
    const where = `TENANT_REGISTRY=${source.file}`;
    found.push({ where, tenants: fromFile(source.file, (p) => problems.push(`${where}: ${p}`)) });
  }
  if (source.dir !== undefined) {
    const where = `TENANT_REGISTRY_DIR=${source.dir}`;
    found.push({ where, tenants: fromDir(source.dir, (p) => problems.push(`${where}: ${p}`)) });
  }
  const seen = new Map<string, string>();
  for (const { where, tenants } of found)
    for (const t of tenants) {
      const first = seen.get(t.id);
      if (first !== undefined) problems.push(`${where}: tenant "${t.id}": listed twice (also in ${first})`);
      else seen.set(t.id, where);
    }
  if (problems.length === 0 && seen.size === 0)
    problems.push(`${describeRegistrySource(source)}: no tenants (add one: README "Running for many tenants")`);
  if (problems.length > 0) throw new ConfigError(problems);
  return found.flatMap((f) => f.tenants);
}

function fromFile(file: string, problem: (p: string) => void): TenantConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problem(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return [];
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (err) {
    // Node's message quotes the text around the error, which may be a secret: only say where.
    problem(`is not valid JSON (${whereInText(text, err as Error)})`);
    return [];
  }
  if (!Array.isArray(list)) {
    problem('must be a JSON list of tenants: [{ "id": …, "zuora": {…}, "netsuite": {…} }, …]');
    return [];
  }
  const base = dirname(resolve(file));
  return list.flatMap((raw: unknown, i) => {
    const label = labelOf(raw, `tenant #${i + 1}`);
    const entry = withFileSecrets(raw, base, (p) => problem(`${label}: ${p}`));
    return entry === undefined ? [] : parseTenant(entry, label, problem);
  });
}

function fromDir(dir: string, problem: (p: string) => void): TenantConfig[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    problem(`cannot read the folder ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return [];
  }
  // Names starting with "." are Kubernetes' own (..data, ..2026_…): the mounted keys link into them.
  return names
    .filter((n) => !n.startsWith('.'))
    .flatMap((id) => {
      const folder = join(dir, id);
      const label = `tenant "${id}"`;
      if (!isFolder(folder)) {
        problem(`${id}: not a folder (one folder per tenant, named by its id, one file per field)`);
        return [];
      }
      const entry: { id: string; zuora: Record<string, unknown>; netsuite: Record<string, unknown> } = {
        id,
        zuora: {},
        netsuite: {},
      };
      let ok = true;
      let fields: string[];
      try {
        fields = readdirSync(folder).filter((n) => !n.startsWith('.'));
      } catch (err) {
        problem(`${label}: cannot read the folder ${folder} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        return [];
      }
      for (const field of fields) {
        if (!DIR_FIELDS.includes(field)) {
          problem(`${label}: unknown file "${field}" (a tenant folder holds: ${DIR_FIELDS.join(', ')})`);
          ok = false;
          continue;
        }
        const read = readSecretFile(join(folder, field));
        if ('problem' in read) {
          problem(`${label}: ${field}: ${read.problem}`);
          ok = false;
          continue;
        }
        const [system, key] = field.split('.') as ['zuora' | 'netsuite', string];
        entry[system][key] = key === 'concurrencyLimit' && /^\d+$/.test(read.value) ? Number(read.value) : read.value;
      }
      return ok ? parseTenant(entry, label, problem) : [];
    });
}

function parseTenant(raw: unknown, label: string, problem: (p: string) => void): TenantConfig[] {
  const parsed = tenantEntrySchema.safeParse(raw);
  if (parsed.success) return [parsed.data];
  for (const issue of parsed.error.issues) problem(`${label}: ${describeIssue(issue, raw)}`);
  return [];
}

/** `<field>File: path` is read into `<field>` (relative paths from the registry file's folder); both is refused. */
function withFileSecrets(raw: unknown, base: string, problem: (p: string) => void): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  let ok = true;
  for (const system of ['zuora', 'netsuite'] as const) {
    const section = out[system];
    if (!isRecord(section)) continue;
    const copy: Record<string, unknown> = { ...section };
    for (const field of FILE_FIELDS[system]) {
      const fileKey = `${field}File`;
      if (!(fileKey in copy)) continue;
      const path = copy[fileKey];
      delete copy[fileKey];
      if (copy[field] !== undefined) {
        problem(`${system}.${field} and ${system}.${fileKey} are both set: set only one`);
        ok = false;
      } else if (typeof path !== 'string' || path.trim() === '') {
        problem(`${system}.${fileKey}: must be the path of the file that holds ${system}.${field}`);
        ok = false;
      } else {
        const read = readSecretFile(resolve(base, path));
        if ('problem' in read) {
          problem(`${system}.${fileKey}: ${read.problem}`);
          ok = false;
        } else copy[field] = read.value;
      }
    }
    out[system] = copy;
  }
  return ok ? out : undefined;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const name = issue.path.join('.');
  const value = issue.path.reduce<unknown>((v, k) => (isRecord(v) ? v[k as string] : undefined), raw);
  if (value === undefined && issue.code === 'invalid_type') return `${name}: missing`;
  const shown =
    value === undefined || issue.code === 'unrecognized_keys'
      ? ''
      : URL_FIELDS.has(name) && typeof value === 'string'
        ? ` (got ${redactUrl(value)})`
        : SHOWN_FIELDS.has(name)
          ? ` (got ${JSON.stringify(value).slice(0, 80)})`
          : ' (value hidden)';
  return `${name ? `${name}: ` : ''}${issue.message}${shown}`;
}

function labelOf(raw: unknown, fallback: string): string {
  return isRecord(raw) && typeof raw.id === 'string' && raw.id.length <= 63
    ? `tenant ${JSON.stringify(raw.id)}`
    : fallback;
}

function whereInText(text: string, err: Error): string {
  const at = /position (\d+)/.exec(err.message);
  if (!at) return "check it with a JSON linter; the parser's message is left out, as it quotes the text";
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
