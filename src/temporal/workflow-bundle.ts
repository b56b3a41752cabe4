// The workflow code bundle, built once by `npm run build` (dist/workflow-bundle.js) instead of at every worker
// start: a restarted worker — after a crash, a deploy, a kill in the chaos run — polls seconds sooner. A digest of
// the compiled code it came from is kept beside it; a bundle that does not match the code next to it (dist rebuilt
// with `tsc` alone, files edited by hand) is never used: the worker bundles afresh instead.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export type PrebuiltBundlePaths = { codePath: string; digestPath: string; sourceDir: string };

/** Where the bundle of the workflows at `workflowsPath` (…/src/workflows) lives: beside its `src` folder. */
export function prebuiltBundlePaths(workflowsPath: string): PrebuiltBundlePaths {
  const sourceDir = dirname(dirname(workflowsPath)); // …/src
  const outDir = dirname(sourceDir); // dist
  return {
    codePath: join(outDir, 'workflow-bundle.js'),
    digestPath: join(outDir, 'workflow-bundle.json'),
    sourceDir,
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .filter((f) => f.endsWith('.js'))
    .sort();
}

/** sha256 of every compiled .js file under src (names and contents) and the workflow SDK's version. */
export function sourceDigest(paths: PrebuiltBundlePaths): string {
  const hash = createHash('sha256');
  const sdk = JSON.parse(readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8')) as {
    version: string;
  };
  hash.update(`@temporalio/workflow@${sdk.version}\n`);
  for (const file of filesUnder(paths.sourceDir)) {
    hash.update(file.slice(paths.sourceDir.length) + '\n');
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

/** Bundles the workflow code quietly (the bundler's own report is noise in a worker's or a test run's log). */
export async function bundleQuietly(workflowsPath: string): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  return { code };
}

export async function writePrebuiltBundle(workflowsPath: string): Promise<PrebuiltBundlePaths> {
  const paths = prebuiltBundlePaths(workflowsPath);
  const { code } = await bundleQuietly(workflowsPath);
  writeFileSync(paths.codePath, code);
  writeFileSync(paths.digestPath, JSON.stringify({ digest: sourceDigest(paths) }) + '\n');
  return paths;
}

/** The prebuilt bundle if it was built from exactly the code beside it; otherwise undefined. */
export function loadPrebuiltBundle(workflowsPath: string): { codePath: string } | undefined {
  const paths = prebuiltBundlePaths(workflowsPath);
  if (!existsSync(paths.codePath) || !existsSync(paths.digestPath)) return undefined;
  try {
    const { digest } = JSON.parse(readFileSync(paths.digestPath, 'utf8')) as { digest?: unknown };
    return digest === sourceDigest(paths) ? { codePath: paths.codePath } : undefined;
  } catch {
    return undefined;
  }
}

/** The bundle for a worker: the prebuilt one when it matches, else built now. */
export async function workflowBundleFor(workflowsPath: string): Promise<{ codePath: string } | { code: string }> {
  return loadPrebuiltBundle(workflowsPath) ?? (await bundleQuietly(workflowsPath));
}

// `node dist/src/temporal/workflow-bundle.js`: run by `npm run build` after tsc.
if (require.main === module) {
  const workflowsPath = require.resolve('../workflows');
  writePrebuiltBundle(workflowsPath).then(
    (p) => process.stdout.write(`workflow bundle: ${p.codePath}\n`),
    (err: unknown) => {
      process.stderr.write(`workflow bundle failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
