// `npm run build` prebuilds the workflow bundle (dist/workflow-bundle.js) so a restarted worker polls sooner; a
// bundle that does not match the compiled code beside it must never be used (it would run other workflow code).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { loadPrebuiltBundle, prebuiltBundlePaths } from '../../src/temporal/workflow-bundle';

const built = join(PROJECT_ROOT, 'dist', 'src', 'workflows', 'index.js'); // `npm test` builds first (pretest)

test('the bundle `npm run build` wrote matches the compiled workflows and is used', () => {
  expect(loadPrebuiltBundle(built)).toEqual({ codePath: join(PROJECT_ROOT, 'dist', 'workflow-bundle.js') });
});

test('a bundle is refused once the compiled code beside it changes, or without its digest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  try {
    const paths = prebuiltBundlePaths(built);
    cpSync(join(PROJECT_ROOT, 'dist', 'src'), join(dir, 'src'), { recursive: true });
    cpSync(paths.codePath, join(dir, 'workflow-bundle.js'));
    cpSync(paths.digestPath, join(dir, 'workflow-bundle.json'));
    const copy = join(dir, 'src', 'workflows', 'index.js');
    expect(loadPrebuiltBundle(copy)).toEqual({ codePath: join(dir, 'workflow-bundle.js') });

    // `tsc` alone after an edit: the code changed, the bundle did not.
    const file = join(dir, 'src', 'workflows', 'upgrade', 'invoice-settlement-upgrade.js');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n// edited\n');
    expect(loadPrebuiltBundle(copy)).toBeUndefined();

    rmSync(join(dir, 'workflow-bundle.json'));
    expect(loadPrebuiltBundle(copy)).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
