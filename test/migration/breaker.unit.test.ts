// The breaker's rule (src/shared/migration-breaker.ts) and its options, without a server.
import { BREAKER_DEFAULTS, RefusalWindow, breakerOptionsSchema, breakerTrip } from '../../src/shared/migration-breaker';
import { migrateCreditMemosInputSchema } from '../../src/shared/migration';

const defaults = breakerOptionsSchema.parse({});

describe('RefusalWindow', () => {
  it('keeps the last `size` outcomes, dropping the oldest first', () => {
    const w = new RefusalWindow(10);
    w.add(0, 4); // 4 refused
    expect([w.memos, w.refused]).toEqual([4, 4]);
    w.add(6, 0);
    expect([w.memos, w.refused]).toEqual([10, 4]);
    w.add(3, 0); // the 3 oldest refusals fall out
    expect([w.memos, w.refused]).toEqual([10, 1]);
    w.add(10, 0);
    expect([w.memos, w.refused]).toEqual([10, 0]);
  });
});

describe('breakerTrip', () => {
  it('trips above the rate once the window holds minMemos, not at the rate or before', () => {
    expect(defaults).toEqual(BREAKER_DEFAULTS);
    expect(breakerTrip({ memos: 99, refused: 99 }, [], defaults)).toBeNull(); // too few to judge
    expect(breakerTrip({ memos: 500, refused: 50 }, [], defaults)).toBeNull(); // exactly 10 %: not more than
    expect(breakerTrip({ memos: 500, refused: 51 }, [], defaults)).toBe(
      '51 of the last 500 memos were refused by Zuora (10.2% > breaker.maxRefusedRate 10%)',
    );
    expect(breakerTrip({ memos: 100, refused: 11 }, [], defaults)).toMatch(/^11 of the last 100 memos/);
  });

  it('trips at once on a code the operator named, whatever the rate', () => {
    const o = breakerOptionsSchema.parse({ tripOnCodes: ['50000040'] });
    expect(breakerTrip({ memos: 1, refused: 1 }, ['50000030', '50000040'], o)).toBe(
      'Zuora refused a memo with code 50000040 (one of breaker.tripOnCodes)',
    );
    expect(breakerTrip({ memos: 1, refused: 1 }, ['50000030'], o)).toBeNull();
  });

  it('never trips when switched off', () => {
    const o = breakerOptionsSchema.parse({ enabled: false, tripOnCodes: ['50000040'] });
    expect(breakerTrip({ memos: 500, refused: 500 }, ['50000040'], o)).toBeNull();
  });
});

describe('breaker options (zod)', () => {
  it('defaults when absent, and refuses bad values naming the option', () => {
    expect(migrateCreditMemosInputSchema.parse({ tenantId: 'demo' }).breaker).toEqual(BREAKER_DEFAULTS);
    const bad = (breaker: unknown) => migrateCreditMemosInputSchema.safeParse({ tenantId: 'demo', breaker });
    expect(bad({ maxRefusedRate: 0 }).error?.issues[0]?.message).toMatch(/breaker\.maxRefusedRate must be above 0/);
    expect(bad({ maxRefusedRate: 1.5 }).error?.issues[0]?.message).toMatch(/at most 1/);
    expect(bad({ windowMemos: 5 }).error?.issues[0]?.message).toMatch(/breaker\.windowMemos must be at least 10/);
    expect(bad({ minMemos: 600 }).error?.issues[0]?.message).toBe(
      'breaker.minMemos may not exceed breaker.windowMemos',
    );
    expect(bad({ tripOnCodes: ['no spaces'] }).error?.issues[0]?.message).toMatch(/Zuora codes/);
    expect(bad({ windowMemos: 50, minMemos: 20 }).success).toBe(true);
  });
});
