// Collects the invoice adjustments of concurrent credit memos into batches for Zuora's `/v1/action/create`, each
// batch looked up by ReferenceId right before it is created: an adjustment an earlier attempt created (and crashed
// before NetSuite's write-back) is found, not made again; an ambiguous create failure is followed by a look-up, never
// by a blind re-create.
import { computeBackoff, sleep } from '../../http/backoff';
import type { ZuoraClient } from '../../zuora/client';
import { ZuoraApiError, ZuoraResponseShapeError } from '../../zuora/errors';
import { throwIfAborted } from './page';
import type { AdjustmentRequest } from './rules';

/** `/v1/action/create` takes at most 50 objects. */
export const CREATE_BATCH_LIMIT = 50;
/** A batch waits at most this long for more adjustments before it is sent. */
const BATCH_WAIT_MS = 100;
/** Retries of a Zuora batch (look-up + create) after a retryable failure, inside one activity attempt. */
const BATCH_RETRIES = 6;
/** An item Zuora refused with a retryable code (lock contention, temporary) is tried this many more times. */
const ITEM_RETRIES = 3;

/** What the batcher needs of the Zuora client. */
export type AdjustmentsApi = Pick<ZuoraClient, 'findInvoiceAdjustmentsByReferenceIds' | 'createInvoiceAdjustments'>;

export type AdjustmentOutcome =
  { ok: true; id: string; existed: boolean } | { ok: false; code: string; message: string };

type QueuedAdjustment = {
  request: AdjustmentRequest;
  resolve: (o: AdjustmentOutcome) => void;
  reject: (err: unknown) => void;
  /** A create was sent for it: found afterwards means created by this run, not earlier. */
  attempted: boolean;
  itemRetries: number;
};

/**
 * Collects adjustments from concurrent credit memos into batches of up to 50. Each batch: one ZOQL look-up by
 * ReferenceId (matching invoice and type, not cancelled), then one `/v1/action/create` for what is missing.
 */
export class AdjustmentBatcher {
  private queue: QueuedAdjustment[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly zuora: AdjustmentsApi,
    private readonly signal: AbortSignal,
  ) {}

  submit(request: AdjustmentRequest): Promise<AdjustmentOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject, attempted: false, itemRetries: 0 });
      if (this.queue.length >= CREATE_BATCH_LIMIT) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), BATCH_WAIT_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) void this.resolveBatch(this.queue.splice(0, CREATE_BATCH_LIMIT));
  }

  private async resolveBatch(items: QueuedAdjustment[]): Promise<void> {
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        throwIfAborted(this.signal);
        const found = await this.lookUp(pending.map((i) => i.request));
        pending = pending.filter((item) => {
          const id = found.get(item.request.referenceId);
          if (id === undefined) return true;
          item.resolve({ ok: true, id, existed: !item.attempted });
          return false;
        });
        if (pending.length === 0) return;
        for (const item of pending) item.attempted = true;
        const results = await this.zuora.createInvoiceAdjustments(pending.map((i) => i.request.body));
        const again: QueuedAdjustment[] = [];
        results.forEach((r, index) => {
          const item = pending[index]!;
          if (r.success) item.resolve({ ok: true, id: r.id, existed: false });
          else if (r.retryable && item.itemRetries++ < ITEM_RETRIES) again.push(item);
          else item.resolve({ ok: false, code: r.code, message: r.message });
        });
        pending = again;
      } catch (err) {
        // Ambiguous or transient (connection lost, 5xx, 429 after the client's own retries, a garbled answer):
        // Zuora may have created some of the batch. The next round looks them up before creating the rest.
        const transient = (err instanceof ZuoraApiError && err.retryable) || err instanceof ZuoraResponseShapeError;
        if (!transient || attempt >= BATCH_RETRIES || this.signal.aborted) {
          for (const item of pending) item.reject(err);
          return;
        }
      }
      if (pending.length > 0) {
        try {
          await sleep(computeBackoff(attempt, { baseMs: 250, maxMs: 5_000 }), this.signal);
        } catch (err) {
          for (const item of pending) item.reject(err);
          return;
        }
      }
    }
  }

  /** ReferenceId → adjustment id, for adjustments that are this request (same invoice and type) and not cancelled. */
  private async lookUp(requests: AdjustmentRequest[]): Promise<Map<string, string>> {
    const records = await this.zuora.findInvoiceAdjustmentsByReferenceIds(
      requests.map((r) => r.referenceId),
      ['Id', 'ReferenceId', 'InvoiceId', 'Type', 'Status'],
    );
    const byRef = new Map(requests.map((r) => [r.referenceId, r]));
    const found = new Map<string, string>();
    for (const rec of records) {
      const req = rec.ReferenceId === undefined ? undefined : byRef.get(rec.ReferenceId);
      if (!req || rec.Status === 'Canceled' || rec.Status === 'Cancelled') continue;
      if (rec.InvoiceId !== undefined && rec.InvoiceId !== req.body.InvoiceId) continue;
      if (rec.Type !== undefined && rec.Type !== req.body.Type) continue;
      found.set(req.referenceId, rec.Id);
    }
    return found;
  }
}
