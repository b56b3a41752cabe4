// The migration's ETA across all passes (src/shared/migration-eta.ts), without a server.
import { migrationEtaSeconds, type EtaInput } from '../../src/shared/migration-eta';

const base: EtaInput = {
  phase: 'updating',
  rate: 100,
  passRows: 10_000,
  passRowsDone: 4_000,
  notYesAtCount: 10_000,
  updatedSinceCount: 4_000,
  querySeconds: 5,
};

describe('migrationEtaSeconds', () => {
  it('is the rows left in this pass at the rate, plus the verification query', () => {
    expect(migrationEtaSeconds(base)).toBe(6_000 / 100 + 5);
  });

  it('counts the memos a later pass takes: refused ones to retry, rows past the output cap', () => {
    // 200 refused in this pass so far: they are still not Yes, and the next pass tries them again.
    expect(migrationEtaSeconds({ ...base, updatedSinceCount: 3_800 })).toBe((6_000 + 200) / 100 + 2 * 5);
    // 25,000 memos, the query capped at 10,000 rows: two more passes of rows, then the verification.
    expect(migrationEtaSeconds({ ...base, notYesAtCount: 25_000 })).toBe((6_000 + 15_000) / 100 + 3 * 5);
  });

  it('without a count (older runs), the current pass only', () => {
    expect(migrationEtaSeconds({ ...base, notYesAtCount: null })).toBe(65);
  });

  it('is unknown before any rate, 0 when done, and the time left once resumed while paused', () => {
    expect(migrationEtaSeconds({ ...base, rate: 0 })).toBeNull();
    expect(migrationEtaSeconds({ ...base, phase: 'done' })).toBe(0);
    expect(migrationEtaSeconds({ ...base, phase: 'paused' })).toBe(65);
    expect(migrationEtaSeconds({ ...base, phase: 'failed' })).toBeNull();
  });

  it('between passes (verifying), the query still to come', () => {
    const between = { ...base, phase: 'verifying' as const, passRows: 0, passRowsDone: 0, updatedSinceCount: 10_000 };
    expect(migrationEtaSeconds(between)).toBe(5);
  });
});
