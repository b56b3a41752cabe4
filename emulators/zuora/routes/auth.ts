// OAuth 2.0 client credentials (docs/zuora.md §1) and the bearer check every API route goes through.
import { randomBytes } from 'node:crypto';
import {
  hasMediaType,
  headerValue,
  jsonResponse,
  type EmulatorRequest,
  type EmulatorResponse,
  type RouteHandler,
  type Router,
} from '../../common';
import type { ZuoraContext } from '../context';
import { RestCode, restError, unauthorized } from '../errors';

export const TRACK_ID_MAX = 64;
/** The spec's Zuora-Track-Id rule (docs/zuora.md §8): US-ASCII, and none of `: ; " '`. */
const TRACK_ID_FORBIDDEN = /[^\x20-\x7e]|[:;"']/;

export function registerAuthRoutes(router: Router, ctx: ZuoraContext): void {
  router.on('POST', '/oauth/token', (req) => {
    if (!hasMediaType(headerValue(req, 'content-type'), 'application/x-www-form-urlencoded')) {
      // The spec's 400 here is CommonErrorResponse {code?, message?}; Zuora publishes no code for it.
      return jsonResponse(400, { message: 'Content-Type must be application/x-www-form-urlencoded' });
    }
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return jsonResponse(400, { message: 'grant_type must be client_credentials' });
    }
    if (form.get('client_id') !== ctx.settings.clientId || form.get('client_secret') !== ctx.settings.clientSecret) {
      ctx.counters.tokenRejections++;
      return unauthorized('Invalid client id or secret');
    }
    const token = randomBytes(24).toString('hex');
    ctx.tokens.set(token, ctx.now() + ctx.settings.tokenTtlSeconds * 1000);
    ctx.counters.tokensIssued++;
    return jsonResponse(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: ctx.settings.tokenTtlSeconds,
      scope: 'user.8ad0823f user_role.read tenant.9999',
      jti: randomBytes(16).toString('hex'),
    });
  });
}

/** Wraps an API handler: a valid Zuora-Track-Id, then a valid, unexpired bearer token. */
export function authenticated(ctx: ZuoraContext, handler: RouteHandler): RouteHandler {
  return (req: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse> => {
    const trackId = headerValue(req, 'zuora-track-id');
    if (trackId !== undefined && trackId.length > TRACK_ID_MAX) {
      return restError(400, RestCode.INVALID_VALUE, `Zuora-Track-Id must be at most ${TRACK_ID_MAX} characters`);
    }
    // INFERRED: the spec forbids these characters but does not say how Zuora answers; a 400 makes a client that
    // sends them fail loudly here rather than on the real API.
    if (trackId !== undefined && TRACK_ID_FORBIDDEN.test(trackId)) {
      return restError(400, RestCode.INVALID_VALUE, 'Zuora-Track-Id must be US-ASCII without : ; " \'');
    }
    const auth = headerValue(req, 'authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const expiresAt = m ? ctx.tokens.get(m[1] as string) : undefined;
    if (expiresAt === undefined || expiresAt <= ctx.now()) {
      ctx.counters.unauthorized401++;
      if (m && expiresAt !== undefined) ctx.tokens.delete(m[1] as string);
      return unauthorized();
    }
    return handler(req);
  };
}
