// Every committed history (finished and mid-run, before and after continue-as-new) replays against the current
// workflow code. A nondeterministic change fails here; guard it with patched() and record new fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from '../helpers/histories';
import { CONFIGURED_SECRETS, decodedPayloads } from '../secret-scan';
import { workflowBundle } from '../helpers/temporal';

const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
type Fixture = {
  workflowId: string;
  history: { events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] };
};
const load = (f: string) => JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8')) as Fixture;

test('the replay fixtures cover every workflow type', () => {
  const types = new Set(
    files.map((f) => load(f).history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name),
  );
  expect([...types].sort()).toEqual(expect.arrayContaining(['invoiceSettlementUpgrade', 'migrateCreditMemos']));
});

test.each(files)('%s replays deterministically', async (file) => {
  const fixture = load(file);
  await Worker.runReplayHistory(
    { workflowBundle: workflowBundle() },
    historyFromJSON(fixture.history),
    fixture.workflowId,
  );
});

test('no recorded history carries a secret of the emulators the tests ran against', () => {
  const secrets = CONFIGURED_SECRETS;
  for (const f of files) {
    const text = readFileSync(join(HISTORIES_DIR, f), 'utf8');
    // Payloads are base64 JSON: look in the decoded data too.
    const decoded = decodedPayloads(text);
    for (const s of secrets) {
      expect({ file: f, leaked: text.includes(s) || decoded.includes(s) }).toEqual({ file: f, leaked: false });
    }
  }
});
