// Reading Zuora responses: JSON bodies that may be empty or broken, Retry-After, and the documented error bodies.
import { ZuoraApiError, type ZuoraErrorReason } from './errors';
import {
  commonErrorBodySchema,
  crudErrorBodySchema,
  faultResponseSchema,
  messageErrorBodySchema,
  oauthErrorBodySchema,
  restErrorBodySchema,
} from './schemas';

export type JsonRead = { ok: true; value: unknown } | { ok: false; text: string };

export async function readJsonSafely(response: Response): Promise<JsonRead> {
  const text = await response.text();
  if (text.length === 0) return { ok: false, text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, text };
  }
}

/** The reasons a Zuora error body carries, whichever documented shape it has; undefined if none fits. */
export function reasonsOf(body: unknown): { reasons: ZuoraErrorReason[]; processId?: string } | undefined {
  const rest = restErrorBodySchema.safeParse(body);
  if (rest.success) {
    return {
      reasons: rest.data.reasons.map((r) => ({ code: String(r.code), message: r.message })),
      processId: rest.data.processId,
    };
  }
  const crud = crudErrorBodySchema.safeParse(body);
  if (crud.success) return { reasons: crud.data.Errors.map((e) => ({ code: e.Code, message: e.Message })) };
  // ZOQL errors: the FaultCode (INVALID_FIELD, MALFORMED_QUERY, …) is classified like a CRUD code (errors.ts).
  const fault = faultResponseSchema.safeParse(body);
  if (fault.success) {
    return { reasons: [{ code: fault.data.FaultCode, message: fault.data.FaultMessage ?? fault.data.FaultCode }] };
  }
  const common = commonErrorBodySchema.safeParse(body);
  if (common.success) return { reasons: [{ code: String(common.data.code), message: common.data.message }] };
  const oauth = oauthErrorBodySchema.safeParse(body);
  if (oauth.success)
    return { reasons: [{ code: oauth.data.error, message: oauth.data.error_description ?? oauth.data.error }] };
  const plain = messageErrorBodySchema.safeParse(body);
  if (plain.success) return { reasons: [{ code: '', message: plain.data.message }] };
  return undefined;
}

export interface ErrorContext {
  method: string;
  path: string;
  trackId?: string;
  retryAfterMs?: number;
  retryable?: boolean;
  ambiguous?: boolean;
}

export function errorFromResponse(response: Response, json: JsonRead, context: ErrorContext): ZuoraApiError {
  const found = json.ok ? reasonsOf(json.value) : undefined;
  const first = found?.reasons[0];
  const code = first?.code || `HTTP_${response.status}`;
  const message =
    first?.message ?? (json.ok ? JSON.stringify(json.value) : json.text.slice(0, 500) || response.statusText);
  return new ZuoraApiError({
    httpStatus: response.status,
    code,
    message,
    reasons: found?.reasons.map((r) => ({ code: r.code || code, message: r.message })),
    processId: found?.processId,
    requestId: response.headers.get('zuora-request-id') ?? undefined,
    ...context,
  });
}
