import { z } from 'zod';
import { parseJsonBody } from './body';
import { limitsConfigPatchSchema, limitsConfigSchema, type LimitsAndFaults } from './limits-and-faults';
import type { Router } from './router';
import { jsonResponse, type EmulatorRequest, type EmulatorResponse } from './types';

export interface AdminHooks {
  limits: LimitsAndFaults;
  /** Emulator-specific counters, merged with the limits counters under `GET /__admin/counters`. */
  counters(): Record<string, unknown>;
  resetCounters?(): void;
  state(): unknown;
  /** Seeds data from the request body; returns a summary. Throwing a ZodError answers 400. */
  seed(body: unknown): unknown;
  /** Clears data and counters back to an empty tenant. */
  reset(): void;
  /** Emulator-specific settings, served and patched by the same `/__admin/config` as the limits. */
  settings?: {
    get(): Record<string, unknown>;
    /** Validates and applies a partial update (throw a ZodError to answer 400). */
    patch(patch: Record<string, unknown>): void;
  };
}

const LIMIT_KEYS = new Set(Object.keys(limitsConfigSchema.shape));

/**
 * The admin API every emulator shares (no auth; bypasses limits and faults; cross-origin browser requests are refused
 * in http-server.ts):
 *   GET/POST /__admin/config, GET /__admin/counters, POST /__admin/counters/reset,
 *   GET /__admin/state, POST /__admin/seed, POST /__admin/reset.
 * Emulators register extra `/__admin/...` routes on the same router.
 */
export function registerAdminRoutes(router: Router, hooks: AdminHooks): void {
  router
    .on('GET', '/__admin/config', () => jsonResponse(200, currentConfig(hooks)))
    .on('POST', '/__admin/config', (req) =>
      withJson(req, (body) => {
        const record = z.record(z.string(), z.unknown()).parse(body);
        const limitsPart = Object.fromEntries(Object.entries(record).filter(([k]) => LIMIT_KEYS.has(k)));
        const rest = Object.fromEntries(Object.entries(record).filter(([k]) => !LIMIT_KEYS.has(k)));
        const limitsPatch = limitsConfigPatchSchema.parse(limitsPart);
        if (Object.keys(rest).length > 0) {
          if (!hooks.settings)
            return jsonResponse(400, { error: `Unknown config keys: ${Object.keys(rest).join(', ')}` });
          hooks.settings.patch(rest);
        }
        hooks.limits.configure(limitsPatch);
        return jsonResponse(200, currentConfig(hooks));
      }),
    )
    .on('GET', '/__admin/counters', () => jsonResponse(200, { ...hooks.counters(), limits: hooks.limits.counters() }))
    .on('POST', '/__admin/counters/reset', () => {
      hooks.limits.resetCounters();
      hooks.resetCounters?.();
      return jsonResponse(200, { ok: true });
    })
    .on('GET', '/__admin/state', () => jsonResponse(200, hooks.state()))
    .on('POST', '/__admin/seed', (req) => withJson(req, (body) => jsonResponse(200, hooks.seed(body))))
    .on('POST', '/__admin/reset', () => {
      hooks.reset();
      hooks.limits.resetCounters();
      return jsonResponse(200, { ok: true });
    });
}

function currentConfig(hooks: AdminHooks): Record<string, unknown> {
  return { ...hooks.settings?.get(), ...hooks.limits.config() };
}

/** Parses the admin request body (empty means `{}`) and maps validation failures to a plain 400. */
export function withJson(req: EmulatorRequest, fn: (body: unknown) => EmulatorResponse): EmulatorResponse {
  const parsed = req.rawBody.length === 0 ? { ok: true as const, value: {} } : parseJsonBody(req.rawBody);
  if (!parsed.ok) return jsonResponse(400, { error: parsed.message });
  try {
    return fn(parsed.value);
  } catch (error) {
    if (error instanceof z.ZodError) return jsonResponse(400, { error: 'Invalid admin request', issues: error.issues });
    throw error;
  }
}
