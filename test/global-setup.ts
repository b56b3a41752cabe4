// One Temporal dev server and one workflow bundle for the whole jest run (starting either per test file is slow).
// Test files reach them through env vars; files that need time skipping start their own test server.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../src/shared/search-attributes';
import { executableFor, loadTemporalBinaries, PROJECT_ROOT } from '../src/temporal/binaries';
import { bundleQuietly } from '../src/temporal/workflow-bundle';
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
    bundleQuietly(workflowsPath),
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
