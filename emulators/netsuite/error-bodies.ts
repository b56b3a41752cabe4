import { jsonResponse, type EmulatorResponse } from '../common';

/** RFC 9110 section per status, as NetSuite's `type` links them. */
const SECTION: Record<number, [string, string]> = {
  400: ['https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1', 'Bad Request'],
  401: ['https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2', 'Unauthorized'],
  404: ['https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5', 'Not Found'],
  405: ['https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6', 'Method Not Allowed'],
  413: ['https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.14', 'Content Too Large'],
  429: ['https://www.rfc-editor.org/rfc/rfc6585.html#section-4', 'Too Many Requests'],
  500: ['https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1', 'Internal Server Error'],
  503: ['https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4', 'Service Unavailable'],
};

/** The documented NetSuite REST error body: `{type, title, status, o:errorDetails: [{detail, o:errorCode, o:errorPath?}]}`. */
export function netSuiteError(
  status: number,
  errorCode: string,
  detail: string,
  options: { errorPath?: string; headers?: Record<string, string | number> } = {},
): EmulatorResponse {
  const [type, title] = SECTION[status] ?? ['https://www.rfc-editor.org/rfc/rfc9110.html', 'Error'];
  return jsonResponse(
    status,
    {
      type,
      title,
      status,
      'o:errorDetails': [
        { detail, 'o:errorCode': errorCode, ...(options.errorPath ? { 'o:errorPath': options.errorPath } : {}) },
      ],
    },
    options.headers,
  );
}

export const INVALID_LOGIN_DETAIL =
  'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.';

export function invalidLogin(): EmulatorResponse {
  return netSuiteError(401, 'INVALID_LOGIN', INVALID_LOGIN_DETAIL);
}
