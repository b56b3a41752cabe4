// The Web UI's text (src/shared/web-ui.ts): every message has a description, and the example payload each one shows
// is accepted by that message's schema (an operator pasting it into "Send a Signal" gets no validation error).
import { MESSAGES, type MessageName } from '../../src/shared/upgrade';
import { MESSAGE_HELP, signalDescription, updateDescription, upgradeMetadata } from '../../src/shared/web-ui';

const names = Object.keys(MESSAGES) as MessageName[];

test.each(names)('%s: described, and its example payload passes its schema', (name) => {
  const parsed = MESSAGES[name].safeParse(MESSAGE_HELP[name].example);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(signalDescription(name)).toContain(`Example: ${JSON.stringify(MESSAGE_HELP[name].example)}`);
  expect(updateDescription(name)).toMatch(/^.+ Update: .+ Example: \{/);
});

test("the upgrade's static summary is one line naming the tenant, and says where the phase is", () => {
  const m = upgradeMetadata({ tenantId: 'acme', oldConnectorInstanceId: 'old-1', dryRun: true });
  expect(m.staticSummary).toBe(
    'Invoice Settlement upgrade · acme · rehearsal (dry run) · phase and waiting on: Current Details',
  );
  expect(m.staticSummary).not.toContain('\n');
  expect(m.staticDetails).toContain('old connector instance `old-1`');
});
