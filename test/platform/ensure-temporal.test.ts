import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const script = join(PROJECT_ROOT, 'scripts', 'ensure-temporal.mjs');
const pathsFile = join(PROJECT_ROOT, '.temporal', 'paths.json');

describe('scripts/ensure-temporal.mjs', () => {
  test('a second run installs nothing and keeps the recorded binaries', () => {
    const before = readFileSync(pathsFile, 'utf8');
    const mtime = statSync(pathsFile).mtimeMs;
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/installing|building|go install/);
    expect(readFileSync(pathsFile, 'utf8')).toBe(before);
    expect(statSync(pathsFile).mtimeMs).toBe(mtime);
  });

  test('an explicit TEMPORAL_CLI_PATH wins over everything else', () => {
    const recorded = JSON.parse(readFileSync(pathsFile, 'utf8')) as { cli: { path: string } };
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, TEMPORAL_CLI_PATH: recorded.cli.path },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('[env:TEMPORAL_CLI_PATH]');
    // Put the file back the way the rest of the run expects it.
    spawnSync(process.execPath, [script, '--quiet']);
  });

  test('a TEMPORAL_CLI_PATH that is not executable is refused with its name', () => {
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, TEMPORAL_CLI_PATH: '/nonexistent/temporal' },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('TEMPORAL_CLI_PATH=/nonexistent/temporal is not an executable file');
  });

  test('the recorded binaries are the pinned versions and run', () => {
    const recorded = JSON.parse(readFileSync(pathsFile, 'utf8')) as { cli: { path: string | null } };
    expect(recorded.cli.path).toBeTruthy();
    const v = spawnSync(recorded.cli.path!, ['--version'], { encoding: 'utf8' });
    expect(v.stdout).toMatch(/^temporal version \d+\.\d+\.\d+/);
  });
});
