// The rules of the migration's control messages (src/workflows/migration-control.ts), without a server.
import {
  CONTROL_EVENTS_KEPT,
  applyControl,
  checkControl,
  initialControl,
  recordRefusal,
  tripBreaker,
} from '../../src/workflows/migration-control';
import type { MigrationControlName } from '../../src/shared/migration-control';

const rules = { limit: 40, controllable: true, finished: false };
const AT = '2026-12-01T00:00:00.000Z';

function send(state: ReturnType<typeof initialControl>, name: MigrationControlName, payload: unknown) {
  const v = checkControl(state, name, payload, rules);
  if (v.ok) applyControl(state, name, payload, v.outcome, AT);
  return v;
}

describe('migration control messages', () => {
  it('pause, then resume; a second pause or resume is a duplicate', () => {
    const s = initialControl(32);
    expect(send(s, 'pause', { by: 'ana', reason: 'month-end' })).toMatchObject({
      ok: true,
      outcome: { outcome: 'accepted' },
    });
    expect(s.paused).toEqual({ by: 'ana', reason: 'month-end', at: AT, source: 'operator' });
    expect(send(s, 'pause', { by: 'bo', reason: 'again' })).toMatchObject({
      outcome: { outcome: 'duplicate', message: 'already paused by ana' },
    });
    expect(send(s, 'resume', { by: 'ana' })).toMatchObject({ outcome: { outcome: 'accepted', message: 'resumed' } });
    expect(s.paused).toBeNull();
    expect(send(s, 'resume', { by: 'ana' })).toMatchObject({ outcome: { outcome: 'duplicate' } });
    expect(s.events.map((e) => [e.message, e.outcome])).toEqual([
      ['pause', 'accepted'],
      ['pause', 'duplicate'],
      ['resume', 'accepted'],
      ['resume', 'duplicate'],
    ]);
  });

  it('setConcurrency: 1 up to the tenant limit, refused above it naming the limit', () => {
    const s = initialControl(32);
    expect(send(s, 'setConcurrency', { by: 'ana', concurrency: 8 })).toMatchObject({ ok: true });
    expect(s.concurrency).toBe(8);
    expect(send(s, 'setConcurrency', { by: 'ana', concurrency: 41 })).toEqual({
      ok: false,
      reason: "concurrency 41 is above the tenant's concurrency limit 40 (tenantConcurrencyLimit): choose 1..40",
    });
    expect(send(s, 'setConcurrency', { by: 'ana', concurrency: 0 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/at least 1/),
    });
    expect(send(s, 'setConcurrency', { by: 'ana', concurrency: 2.5 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/whole number/),
    });
    expect(send(s, 'setConcurrency', { by: 'ana' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/concurrency is required/),
    });
    expect(s.concurrency).toBe(8);
  });

  it('refuses a message without `by`, and everything in a migration started before the controls or finished', () => {
    const s = initialControl(32);
    expect(send(s, 'pause', { reason: 'x' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/"by" is required/),
    });
    expect(checkControl(s, 'pause', { by: 'a', reason: 'x' }, { ...rules, controllable: false })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/started before pause existed/),
    });
    expect(checkControl(s, 'resume', { by: 'a' }, { ...rules, finished: true })).toEqual({
      ok: false,
      reason: 'the migration has finished',
    });
  });

  it('the breaker pauses like an operator, and resume with breaker "off" switches it off', () => {
    const s = initialControl(32);
    tripBreaker(s, '60 of the last 500 memos were refused', AT);
    expect(s.paused).toMatchObject({ by: 'breaker', source: 'breaker' });
    expect(s.trips).toBe(1);
    expect(send(s, 'resume', { by: 'ana', breaker: 'off' })).toMatchObject({
      outcome: { message: 'resumed; breaker off' },
    });
    expect(s.breakerOff).toEqual({ by: 'ana', at: AT });
    expect(send(s, 'resume', { by: 'ana', breaker: 'on' })).toMatchObject({
      outcome: { message: 'not paused; breaker on' },
    });
    expect(s.breakerOff).toBeNull();
    expect(send(s, 'resume', { by: 'ana', breaker: 'maybe' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/"on" or "off"/),
    });
  });

  it('keeps only the newest events', () => {
    const s = initialControl(32);
    for (let i = 0; i < CONTROL_EVENTS_KEPT + 5; i++) recordRefusal(s, 'pause', `op${i}`, 'no', AT);
    expect(s.events).toHaveLength(CONTROL_EVENTS_KEPT);
    expect(s.events[0]!.by).toBe('op5');
  });
});
