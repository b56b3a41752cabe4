// The CLI's migration progress line (src/client/render.ts): the ETA over all passes, the concurrency, and why a
// migration is paused — what `is-upgrade status` shows of the brake, the throttle and the breaker.
import { progressBar } from '../../src/client/render';
import type { MigrationProgress } from '../../src/shared/migration';

const progress: MigrationProgress = {
  totalFound: 1_000,
  updated: 500,
  failed: 0,
  retries: 0,
  throttledMs: 0,
  passes: 1,
  passRowsDone: 500,
  passRows: 1_000,
  resumes: 0,
  phase: 'updating',
  dryRun: false,
  concurrencyBudget: 8,
  rate: 25,
  etaSeconds: 25,
  remainingAtLastQuery: 1_000,
  startedAt: '2026-12-01T00:00:00.000Z',
  reportDir: null,
  control: {
    paused: null,
    concurrency: 8,
    concurrencyLimit: 40,
    breakerOff: null,
    trips: 0,
    events: [],
  },
};

test('shows the ETA over all passes and the concurrency against the tenant limit', () => {
  expect(progressBar(progress)).toMatch(
    / 50% {2}500\/1000 memos {2}25\.0\/s {2}ETA 25s \(all passes\) {2}pass 1 {2}updating {2}concurrency 8\/40$/,
  );
});

test('says who paused it and why, the breaker by name, on a line of its own', () => {
  const paused = progressBar({
    ...progress,
    phase: 'paused',
    control: {
      ...progress.control!,
      paused: {
        by: 'breaker',
        reason: '60 of the last 500 memos were refused\nby Zuora',
        at: '2026-12-01T00:01:00.000Z',
        source: 'breaker',
      },
    },
  });
  expect(paused.split('\n')).toEqual([
    expect.stringMatching(/ paused {2}concurrency 8\/40$/),
    // A newline in the reason is shown, not obeyed (escapeTerminal): it cannot fake a line of its own.
    '  PAUSED by its breaker at 2026-12-01 00:01:00Z: 60 of the last 500 memos were refused\\nby Zuora',
  ]);
});

test('a migration started before the controls shows as before', () => {
  const { control: _control, ...old } = progress;
  expect(progressBar(old)).toMatch(/ETA 25s {2}pass 1 {2}updating$/);
});
