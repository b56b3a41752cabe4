export * from './types';
export { Router, type RouteMatch } from './router';
export { readBody, parseJsonBody, hasMediaType, BodyTooLargeError, type JsonParseResult } from './body';
export {
  LimitsAndFaults,
  DROP,
  limitsConfigSchema,
  limitsConfigPatchSchema,
  type LimitsConfig,
  type LimitsConfigInput,
  type LimitsConfigPatch,
  type LimitHooks,
  type LimitsCounters,
} from './limits-and-faults';
export { startHttpServer, ADMIN_PREFIX, type HttpServerOptions, type RunningHttpServer } from './http-server';
export { registerAdminRoutes, withJson, type AdminHooks } from './admin';
export { seededRandom } from './random';
