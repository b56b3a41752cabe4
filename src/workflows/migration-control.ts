// The rules of the migration's control messages (../shared/migration-control.ts): `checkControl` decides — accepted,
// duplicate or refused with a reason — and is also the update validator; `applyControl` changes the state. Plain
// functions of the state and the message, unit tested without a server (test/migration/control-rules.unit.test.ts).
import { describeZodError } from '../shared/zod-errors';
import { clip } from '../shared/text';
import {
  migrationControlSchemas,
  type ControlEvent,
  type MigrationControlName,
  type MigrationControlState,
} from '../shared/migration-control';
import type { MessageOutcome } from '../shared/upgrade';

/** Control events kept in the state (and so in the progress query and continue-as-new): the newest. */
export const CONTROL_EVENTS_KEPT = 20;
const TEXT_KEPT = 500;

export type ControlVerdict = { ok: true; outcome: MessageOutcome } | { ok: false; reason: string };

export function initialControl(concurrency: number): MigrationControlState {
  return { paused: null, concurrency, breakerOff: null, trips: 0, events: [] };
}

/**
 * Whether a control message is taken. `limit` is the tenant's concurrency limit (tenantConcurrencyLimit);
 * `controllable` is false for migrations started before these messages existed (their chunks read no control).
 */
export function checkControl(
  state: MigrationControlState,
  name: MigrationControlName,
  payload: unknown,
  o: { limit: number; controllable: boolean; finished: boolean },
): ControlVerdict {
  const parsed = migrationControlSchemas[name].safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `Invalid ${name}: ${describeZodError(parsed.error)}` };
  if (!o.controllable) {
    return { ok: false, reason: `this migration started before ${name} existed: it runs to its end as it began` };
  }
  if (o.finished) return { ok: false, reason: 'the migration has finished' };
  const accept = (message: string): ControlVerdict => ({ ok: true, outcome: { outcome: 'accepted', message } });
  const duplicate = (message: string): ControlVerdict => ({ ok: true, outcome: { outcome: 'duplicate', message } });
  switch (name) {
    case 'pause':
      return state.paused
        ? duplicate(`already paused by ${state.paused.by}`)
        : accept('pausing: no new batch is sent; the batches in flight finish (within a few seconds)');
    case 'resume': {
      const m = parsed.data as { breaker?: 'on' | 'off' };
      const breakerChange = m.breaker !== undefined && (m.breaker === 'off') !== (state.breakerOff !== null);
      if (!state.paused && !breakerChange) return duplicate('not paused');
      return accept(
        [state.paused ? 'resumed' : 'not paused', breakerChange ? `breaker ${m.breaker}` : '']
          .filter(Boolean)
          .join('; '),
      );
    }
    case 'setConcurrency': {
      const { concurrency } = parsed.data as { concurrency: number };
      if (concurrency > o.limit) {
        return {
          ok: false,
          reason:
            `concurrency ${concurrency} is above the tenant's concurrency limit ${o.limit} ` +
            `(tenantConcurrencyLimit): choose 1..${o.limit}`,
        };
      }
      if (concurrency === state.concurrency) return duplicate(`concurrency is already ${concurrency}`);
      return accept(`concurrency ${state.concurrency} → ${concurrency} from the next batch`);
    }
  }
}

/** Records a message `checkControl` took and, unless a duplicate, acts on it. `at` is now (ISO). */
export function applyControl(
  state: MigrationControlState,
  name: MigrationControlName,
  payload: unknown,
  outcome: MessageOutcome,
  at: string,
): void {
  const m = migrationControlSchemas[name].parse(payload) as {
    by: string;
    reason?: string;
    breaker?: 'on' | 'off';
    concurrency?: number;
  };
  const by = clip(m.by, TEXT_KEPT);
  recordControl(state, {
    at,
    message: name,
    by,
    outcome: outcome.outcome === 'duplicate' ? 'duplicate' : 'accepted',
    detail: outcome.message,
  });
  if (outcome.outcome === 'duplicate') return;
  if (name === 'pause') state.paused = { by, reason: clip(m.reason ?? '', TEXT_KEPT), at, source: 'operator' };
  if (name === 'resume') {
    state.paused = null;
    if (m.breaker === 'off') state.breakerOff = { by, at };
    if (m.breaker === 'on') state.breakerOff = null;
  }
  if (name === 'setConcurrency') state.concurrency = m.concurrency!;
}

/** The breaker paused the migration: who (`breaker`) and why, as an operator's pause would be recorded. */
export function tripBreaker(state: MigrationControlState, reason: string, at: string): void {
  state.paused = { by: 'breaker', reason: clip(reason, TEXT_KEPT), at, source: 'breaker' };
  state.trips += 1;
  recordControl(state, { at, message: 'breaker', by: 'breaker', outcome: 'accepted', detail: `paused: ${reason}` });
}

/** A refused message, for the record (a refused signal changes nothing else). */
export function recordRefusal(
  state: MigrationControlState,
  name: MigrationControlName,
  by: unknown,
  reason: string,
  at: string,
) {
  recordControl(state, {
    at,
    message: name,
    by: typeof by === 'string' ? clip(by, TEXT_KEPT) : '(unknown)',
    outcome: 'rejected',
    detail: reason,
  });
}

function recordControl(state: MigrationControlState, e: ControlEvent): void {
  state.events.push({ ...e, detail: clip(e.detail, TEXT_KEPT) });
  if (state.events.length > CONTROL_EVENTS_KEPT) state.events.splice(0, state.events.length - CONTROL_EVENTS_KEPT);
}
