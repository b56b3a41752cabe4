// One Temporal dev server and one workflow bundle for the whole jest run (starting either per test file is slow).
// Test files reach them through env vars; files that need time skipping start their own test server.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../src/shared/search-attributes';
import { executableFor, loadTemporalBinaries, PROJECT_ROOT } from '../src/temporal/binaries';
import { bundleQuietly, loadPrebuiltBundle } from '../src/temporal/workflow-bundle';
import { workflowsPath } from '../src/worker';
import { bundleVersion2 } from './helpers/versioned-bundle';

export default async function globalSetup(): Promise<void> {
  const binaries = loadTemporalBinaries();
  const outDir = join(PROJECT_ROOT, '.temporal', 'test');
  mkdirSync(outDir, { recursive: true });
  // Logs and exported histories of this run, for the end-of-run secret scan (test/helpers/scan-sink.ts).
  const scanDir = join(outDir, 'scan');
  rmSync(scanDir, { recursive: true, force: true });
  mkdirSync(join(scanDir, 'logs'), { recursive: true });
  process.env.TEST_SCAN_DIR = scanDir;
  const [env, bundle, bundleV2] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: executableFor(binaries.cli),
        searchAttributes: CUSTOM_SEARCH_ATTRIBUTES,
        extraArgs: ['--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true'],
      },
    }),
    testBundle(),
    bundleVersion2(workflowsPath), // test/upgrade/worker-versioning.test.ts
  ]);
  const bundlePath = join(outDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEST_TEMPORAL_ADDRESS = env.address;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  const bundleV2Path = join(outDir, 'workflow-bundle-v2.js');
  writeFileSync(bundleV2Path, bundleV2.code);
  process.env.TEST_WORKFLOW_BUNDLE_V2 = bundleV2Path;
  (globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__ = env;
}

/**
 * The workflow bundle the tests run. `npm test` has just built dist (pretest: `npm run build`), bundle included: when
 * that bundle matches the compiled code beside it (its digest, src/temporal/workflow-bundle.ts) and no source under
 * src/ is newer than it, it is the bundle of this code, and bundling again here would cost the run's start ~10 s.
 * Otherwise (jest run straight after editing src/), the workflows are bundled from src/ as before.
 */
async function testBundle(): Promise<{ code: string }> {
  const distWorkflows = join(PROJECT_ROOT, 'dist', 'src', 'workflows', 'index.js');
  const prebuilt = existsSync(distWorkflows) ? loadPrebuiltBundle(distWorkflows) : undefined;
  if (prebuilt && newestMtimeMs(join(PROJECT_ROOT, 'src')) <= statSync(prebuilt.codePath).mtimeMs) {
    return { code: readFileSync(prebuilt.codePath, 'utf8') };
  }
  return bundleQuietly(workflowsPath);
}

function newestMtimeMs(dir: string): number {
  return Math.max(
    statSync(dir).mtimeMs,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newestMtimeMs(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
}
