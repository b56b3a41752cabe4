// "Version 2" of the workflows for test/upgrade/worker-versioning.test.ts: the same code with
// src/workflows/upgrade/steps/index.ts replaced by test/upgrade/versioning/steps-v2.ts (one step changed), through a
// webpack module replacement, so production code carries no test switch. Built once per run by global-setup.ts,
// beside the run's version 1 bundle (bundling is the slow part: seconds of CPU).
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const noop = () => undefined;

export async function bundleVersion2(workflowsPath: string): Promise<{ code: string }> {
  const upgradeDir = join(PROJECT_ROOT, 'src', 'workflows', 'upgrade');
  const variant = join(PROJECT_ROOT, 'test', 'upgrade', 'versioning', 'steps-v2.ts');
  // Only src/workflows/upgrade's own `./steps` (the variant imports the real one by another path). A plain webpack
  // plugin: the hook NormalModuleReplacementPlugin uses, without importing webpack (the SDK's dependency, not ours).
  type Request = { request: string; context?: string };
  type Factory = { hooks: { beforeResolve: { tap(name: string, fn: (r: Request) => void): void } } };
  type Compiler = { hooks: { normalModuleFactory: { tap(name: string, fn: (f: Factory) => void): void } } };
  const replace = {
    apply: (compiler: Compiler) =>
      compiler.hooks.normalModuleFactory.tap('steps-v2', (factory) =>
        factory.hooks.beforeResolve.tap('steps-v2', (r) => {
          if (r.request === './steps' && r.context === upgradeDir) r.request = variant;
        }),
      ),
  };
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), replace as never] }),
  });
  return { code };
}

/** The path global-setup.ts wrote it to. */
export function version2Bundle(): { codePath: string } {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE_V2;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE_V2 not set: run the tests through jest (global-setup.ts)');
  return { codePath };
}
