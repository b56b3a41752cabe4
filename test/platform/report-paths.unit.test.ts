// `is-upgrade report` reads the files that workflow results name; those results are data a rogue worker on the
// namespace can write (issue 16, point 5). Only files inside the report store are read, and a file that is not
// JSON Lines is refused without a character of its content.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReport, type ReportSource } from '../../src/client/commands/report';

const base = mkdtempSync(join(tmpdir(), 'report-paths-'));
const store = join(base, 'reports');
const outside = join(base, 'outside');
mkdirSync(join(store, 'is-upgrade-demo'), { recursive: true });
mkdirSync(outside);
const CANARY = 'canary-report-content-8d1e';
writeFileSync(join(outside, 'secret.jsonl'), `{"leaked":"${CANARY}"}\n`);
writeFileSync(join(store, 'is-upgrade-demo', 'ok.jsonl'), '{"id":"10","tranId":"CM10"}\n');
writeFileSync(join(store, 'is-upgrade-demo', 'garbage.jsonl'), `root:x:0:0:${CANARY}:/root:/bin/bash\n`);
symlinkSync(join(outside, 'secret.jsonl'), join(store, 'is-upgrade-demo', 'link-out.jsonl'));
symlinkSync('/etc/passwd', join(store, 'is-upgrade-demo', 'passwd.jsonl'));
symlinkSync(outside, join(store, 'dir-link'));

const source = (path: string): ReportSource => ({ kind: 'reconciliation', workflowId: 'w', path });

test('a file inside the store is read, by absolute or store-relative path', () => {
  const abs = readReport(source(join(store, 'is-upgrade-demo', 'ok.jsonl')), store);
  expect(abs).toMatchObject({ readable: true, rows: [{ id: '10', tranId: 'CM10' }] });
  expect(readReport(source('is-upgrade-demo/ok.jsonl'), store).readable).toBe(true);
});

test.each([
  ['/etc/passwd', '/etc/passwd'],
  ['a path with ..', join(store, 'is-upgrade-demo', '..', '..', 'outside', 'secret.jsonl')],
  ['a relative path with ..', '../outside/secret.jsonl'],
  ['a symlink to a file outside', join(store, 'is-upgrade-demo', 'link-out.jsonl')],
  ['a symlink to /etc/passwd', join(store, 'is-upgrade-demo', 'passwd.jsonl')],
  ['a file under a symlinked folder', join(store, 'dir-link', 'secret.jsonl')],
  ['the store itself', store],
])('%s is refused as outside the report store, unread', (_what, path) => {
  const r = readReport(source(path), store);
  expect(r).toMatchObject({ readable: false, rows: [] });
  expect(r.problem === 'outside the report store' || r.problem === 'not a file').toBe(true);
  expect(JSON.stringify(r)).not.toMatch(/root:|leaked/);
});

test('a file that is not JSON Lines is refused without echoing its content', () => {
  const r = readReport(source(join(store, 'is-upgrade-demo', 'garbage.jsonl')), store);
  expect(r).toMatchObject({ readable: false, problem: 'not JSON Lines', rows: [] });
  expect(JSON.stringify(r)).not.toContain(CANARY);
});

test('a missing file is named as missing', () => {
  expect(readReport(source(join(store, 'nope.jsonl')), store)).toMatchObject({ readable: false, problem: 'missing' });
});
