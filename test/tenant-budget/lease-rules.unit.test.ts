// The lease rules of the tenant budget (src/shared/tenant-budget.ts, docs/tenant-budget.md): the two-phase
// rebalance never lets the holders' caps add up past the budget, expired leases free their slots, shares are fair.
import fc from 'fast-check';
import {
  LEASE_TTL_MS,
  committedOf,
  emptyBudgetState,
  expire,
  fairShares,
  leaseReportSchema,
  release,
  report,
  targetOf,
  type BudgetState,
} from '../../src/shared/tenant-budget';

const BUDGET = 32;
const r = (holderId: string, want: number, applied: number, budget = BUDGET) =>
  ({ holderId, resource: 'zuora', want, budget, applied }) as const;

describe('fair shares', () => {
  it('split the budget max-min fairly: nobody gets more than it wants, what one leaves goes to the others', () => {
    expect(fairShares([32, 32], 32)).toEqual([16, 16]);
    expect(fairShares([32, 4], 32)).toEqual([28, 4]);
    expect(fairShares([32, 32, 32], 32)).toEqual([11, 11, 10]);
    expect(fairShares([2, 0, 50], 32)).toEqual([2, 0, 30]);
    expect(fairShares([1, 1, 1], 2)).toEqual([1, 1, 0]);
  });
});

describe('two-phase rebalance', () => {
  it('gives a newcomer its share only after the holder it comes from acknowledged the lower cap', () => {
    const s = emptyBudgetState('t', 0);
    expect(report(s, r('a', 32, 0), 0)).toBe(32);
    expect(report(s, r('a', 32, 32), 1)).toBe(32); // a acknowledges 32
    // b arrives: a's target drops to 16 at once, but b gets nothing while a may still use 32.
    expect(report(s, r('b', 32, 0), 2)).toBe(0);
    expect(targetOf(s, 'a')).toBe(16);
    expect(committedOf(s, 'zuora')).toBe(32);
    // a acknowledges 16 (its in-flight requests are within it): b's next report gets the freed 16.
    expect(report(s, r('a', 32, 16), 3)).toBe(16);
    expect(targetOf(s, 'b')).toBe(16);
    expect(committedOf(s, 'zuora')).toBe(32);
  });

  it('an acknowledgement of an older, higher cap keeps that cap counted', () => {
    const s = emptyBudgetState('t', 0);
    report(s, r('a', 10, 0), 0);
    report(s, r('a', 10, 10), 0);
    report(s, r('b', 32, 0), 0);
    expect(targetOf(s, 'b')).toBe(22);
    report(s, r('b', 32, 22), 0);
    report(s, r('c', 32, 0), 0); // a 10 → 10, b 22 → 11: c waits for b
    expect(targetOf(s, 'c')).toBe(0);
    report(s, r('b', 32, 22), 1); // b renews, still at 22: nothing moves
    expect(targetOf(s, 'c')).toBe(0);
    expect(committedOf(s, 'zuora')).toBeLessThanOrEqual(BUDGET);
  });

  it('a released lease frees its slots at once; an expired one after the TTL', () => {
    const s = emptyBudgetState('t', 0);
    report(s, r('a', 32, 0), 0);
    report(s, r('a', 32, 32), 0);
    report(s, r('b', 32, 0), 0);
    expect(release(s, 'a', 1)).toBe(true);
    expect(report(s, r('b', 32, 0), 2)).toBe(32);
    report(s, r('b', 32, 32), 3);
    report(s, r('c', 32, 0), 4);
    expect(expire(s, 3 + LEASE_TTL_MS)).toEqual([]); // not yet
    expect(expire(s, 4 + LEASE_TTL_MS)).toEqual(['b']); // b's worker died: no renewal
    expect(report(s, r('c', 32, 0), 5 + LEASE_TTL_MS)).toBe(32);
    expect(release(s, 'c', 6 + LEASE_TTL_MS)).toBe(true);
    expect(s.idleSince).toBe(6 + LEASE_TTL_MS);
  });

  it('takes the smallest budget a live holder states (a fleet mid-rollout stays within the lower one)', () => {
    const s = emptyBudgetState('t', 0);
    report(s, r('a', 40, 0, 32), 0);
    report(s, r('a', 40, 32, 32), 0);
    report(s, r('b', 40, 0, 20), 0);
    expect(targetOf(s, 'a')).toBe(10);
    report(s, r('a', 40, 10, 32), 0);
    expect(report(s, r('b', 40, 0, 20), 0)).toBe(10);
  });

  it('refuses a report that names no holder or a negative cap, saying which field', () => {
    expect(() => leaseReportSchema.parse({ ...r('', 1, 0) })).toThrow(/holderId must not be empty/);
    expect(() => leaseReportSchema.parse({ ...r('a', 1, -1) })).toThrow(/applied must be ≥ 0/);
  });
});

/**
 * Holders as the activity side runs them (src/activities/tenant-lease.ts): one change at a time — read the target,
 * apply it (a lower one once its in-flight requests are within it), report; requests start only under the applied
 * cap. Random arrivals, departures, crashes, request starts and ends, renewals and time: the requests in flight never
 * add up past the budget, nor the ceilings.
 */
type SimHolder = { id: string; want: number; applied: number; read: number | null; inFlight: number; alive: boolean };

describe('random arrivals, departures, crashes and acknowledgements (property)', () => {
  it('never has more requests in flight than the budget, and shares converge to the fair ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ op: fc.nat(9), who: fc.nat(7), n: fc.nat(40) }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 40 }),
        (ops, budget) => {
          const s: BudgetState = emptyBudgetState('t', 0);
          const holders: SimHolder[] = [];
          let now = 0;
          let next = 0;
          const send = (h: SimHolder) => {
            h.read = report(s, { holderId: h.id, resource: 'zuora', want: h.want, budget, applied: h.applied }, now);
          };
          const check = () => {
            const inFlight = holders.filter((h) => h.alive).reduce((n, h) => n + h.inFlight, 0);
            expect(inFlight).toBeLessThanOrEqual(budget);
            expect(committedOf(s, 'zuora')).toBeLessThanOrEqual(budget);
          };
          for (const { op, who, n } of ops) {
            const live = holders.filter((h) => h.alive);
            const h = live[who % Math.max(1, live.length)];
            switch (op) {
              case 0: {
                const nh: SimHolder = { id: `h${next++}`, want: n, applied: 0, read: null, inFlight: 0, alive: true };
                holders.push(nh);
                send(nh);
                break;
              }
              case 1: // read the target (the query), apply it when possible, acknowledge
                if (h) {
                  const t = targetOf(s, h.id);
                  if (t === null) {
                    h.inFlight = 0; // expired: it drops to 0 (its requests end) before it asks again
                    h.applied = 0;
                    send(h);
                  } else if (t > h.applied || h.inFlight <= t) {
                    h.applied = t;
                    send(h);
                  }
                }
                break;
              case 2: // requests start under the applied cap
                if (h) h.inFlight = Math.min(h.applied, h.inFlight + n);
                break;
              case 3: // requests end
                if (h) h.inFlight = Math.max(0, h.inFlight - n);
                break;
              case 4: // renewal
                if (h) send(h);
                break;
              case 5: // departure: its work ended, nothing in flight
                if (h) {
                  h.inFlight = 0;
                  h.alive = false;
                  release(s, h.id, now);
                }
                break;
              case 6: // crash: its process and requests are gone, no release
                if (h) {
                  h.inFlight = 0;
                  h.alive = false;
                }
                break;
              case 7:
                now += n * 1_000;
                expire(s, now);
                break;
              case 8: // a new want (setConcurrency)
                if (h) {
                  h.want = n;
                  send(h);
                }
                break;
              default: // a report the holder acknowledges with what it read just before (the answer of its last report)
                if (h && h.read !== null && (h.read > h.applied || h.inFlight <= h.read)) {
                  h.applied = h.read;
                  send(h);
                }
            }
            check();
          }
          // Settle: the crashed expire (the live renew meanwhile), everyone alive drains and acknowledges until nothing
          // changes; then the shares are the fair ones.
          now += LEASE_TTL_MS + 1;
          for (const h of holders.filter((x) => x.alive)) {
            if (targetOf(s, h.id) === null) h.applied = 0;
            h.inFlight = 0;
            send(h);
          }
          expire(s, now);
          const live = holders.filter((h) => h.alive);
          for (let round = 0; round < 4; round++) {
            for (const h of live) {
              h.inFlight = 0;
              h.applied = targetOf(s, h.id)!;
              send(h);
              check();
            }
          }
          const wants = live.map((h) => h.want);
          const fair = fairShares(
            [...live].sort((a, b) => s.holders[a.id]!.arrival - s.holders[b.id]!.arrival).map((h) => h.want),
            budget,
          );
          const got = [...live]
            .sort((a, b) => s.holders[a.id]!.arrival - s.holders[b.id]!.arrival)
            .map((h) => targetOf(s, h.id));
          expect(got).toEqual(fair);
          expect(wants.length).toBe(live.length);
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });
});
