// "Version 2" of the upgrade's steps for test/upgrade/worker-versioning.test.ts: bundled in place of
// src/workflows/upgrade/steps/index.ts (a webpack module replacement, see bundleVersion2), so the second worker runs
// the same code with one step changed: confirming the freeze also records an audit entry. Version 1 never writes it,
// so the entry shows which build ran the step. Workflow code: no Node built-ins, no I/O.
import { STEP_BODIES as V1 } from '../../../src/workflows/upgrade/steps';
import type { StepBody } from '../../../src/workflows/upgrade/context';

export const V2_FREEZE_AUDIT = 'freeze confirmed by the version 2 build';

const freeze: StepBody = async (up, s) => {
  await V1['prepare.freeze-negative-invoices'](up, s);
  if (s.state === 'done') up.audit({ message: 'system', outcome: 'info', detail: V2_FREEZE_AUDIT });
};

export const STEP_BODIES: typeof V1 = { ...V1, 'prepare.freeze-negative-invoices': freeze };
