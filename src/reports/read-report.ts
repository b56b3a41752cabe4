// Reading a report file whose path came from a workflow result or status (`is-upgrade report`). Those paths are
// data from the namespace: a rogue worker can complete a run whose result names /etc/passwd (issue 16, point 5).
// So a path is read only if it lies inside the report store — no ".." segment, lexically under the store, and its
// real path (symlinks resolved) still under the store's real path — and a file that is not JSON Lines is refused
// without echoing any of its content.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export type ReportRead =
  | { ok: true; rows: Record<string, unknown>[] }
  | { ok: false; reason: 'missing' | 'outside the report store' | 'not a file' | 'not JSON Lines' };

/** The real path of `path` if it lies inside `root` (the report store), else why not. */
export function resolveInStore(
  root: string,
  path: string,
): { ok: true; real: string } | Exclude<ReportRead, { ok: true }> {
  if (path.includes('\0') || path.split(/[\\/]/).includes('..'))
    return { ok: false, reason: 'outside the report store' };
  const rootAbs = resolve(root);
  const abs = resolve(rootAbs, path);
  if (!within(rootAbs, abs)) return { ok: false, reason: 'outside the report store' };
  let rootReal: string;
  let real: string;
  try {
    rootReal = realpathSync(rootAbs);
    real = realpathSync(abs);
  } catch {
    return { ok: false, reason: 'missing' };
  }
  if (!within(rootReal, real)) return { ok: false, reason: 'outside the report store' };
  if (!statSync(real).isFile()) return { ok: false, reason: 'not a file' };
  return { ok: true, real };
}

const within = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel.length > 0 && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

/** Rows of a JSON Lines report inside the store; content never appears in what is returned on failure. */
export function readReportFile(root: string, path: string): ReportRead {
  const at = resolveInStore(root, path);
  if (!at.ok) return at;
  const rows: Record<string, unknown>[] = [];
  for (const line of readFileSync(at.real, 'utf8').split('\n')) {
    if (line.trim().length === 0) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      return { ok: false, reason: 'not JSON Lines' };
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return { ok: false, reason: 'not JSON Lines' };
    rows.push(row as Record<string, unknown>);
  }
  return { ok: true, rows };
}
