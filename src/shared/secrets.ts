// Screening step data for secrets (issue 16 point 3): step data is shown to everyone and kept in history forever,
// so a key that names a secret, or a value shaped like one, is refused. Pure: used by the message schemas.

/** Words (from camelCase, snake_case, kebab-case keys) that name a secret, alone or as a pair ("api key"). */
const SECRET_WORDS = new Set([
  'secret',
  'password',
  'passwd',
  'passphrase',
  'pass',
  'pwd',
  'token',
  'apikey',
  'auth',
  'authorization',
  'bearer',
  'credential',
  'credentials',
  'private',
  'privatekey',
  'accesskey',
  'secretkey',
  'signingkey',
  'cookie',
  'session',
  'signature',
]);

/** Does this data key name a secret? `oauthClientId`, `ticketId`, `tokenId`, `passes` do not. */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((w, i) => {
    if (w === 'token' && words[i + 1] === 'id') return false; // the id of a token, not the token
    return SECRET_WORDS.has(w) || SECRET_WORDS.has(w + (words[i + 1] ?? ''));
  });
}

/** Well-known shapes of credentials, by what they are (never echoed: the name is enough to act on). */
const SECRET_SHAPES: { name: string; pattern: RegExp }[] = [
  { name: 'a Stripe-style API key (sk_live_/sk_test_/rk_…)', pattern: /\b[sr]k_(live|test)_[A-Za-z0-9]{8,}/ },
  { name: 'a Slack token (xox…-)', pattern: /\bxox[abposr]-[A-Za-z0-9-]{8,}/ },
  { name: 'a Slack webhook URL', pattern: /hooks\.slack\.com\/(services|workflows)\// },
  { name: 'a GitHub token (ghp_/gho_/…)', pattern: /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/ },
  { name: 'an AWS access key id (AKIA…)', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a JSON Web Token (eyJ….….…)', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/ },
  { name: 'a PEM key or certificate (-----BEGIN)', pattern: /-----BEGIN [A-Z ]+-----/ },
  { name: 'an HTTP authorization (Bearer/Basic …)', pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/i },
  { name: 'a URL with credentials (user:password@)', pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

/** Shannon entropy in bits per character. */
export function entropyPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / text.length) * Math.log2(n / text.length);
  return h;
}

/**
 * A single token of ≥ 32 characters with more than 4.3 bits of entropy per character looks random: a key or a
 * secret rather than an id. Ids are hex (Zuora's 32-hex ids, UUIDs: at most log2(17) ≈ 4.09 bits per character),
 * numbers or short (ticket ids). Heuristic, not proof (see README "Operating an upgrade").
 */
export const HIGH_ENTROPY = { minLength: 32, bitsPerChar: 4.3 } as const;

/** What secret a value looks like, or undefined. */
export function secretShapeOf(value: string): string | undefined {
  const shape = SECRET_SHAPES.find((s) => s.pattern.test(value));
  if (shape) return shape.name;
  const random = value
    .split(/\s+/)
    .some(
      (token) =>
        token.length >= HIGH_ENTROPY.minLength &&
        /[A-Za-z]/.test(token) &&
        /[0-9]/.test(token) &&
        entropyPerChar(token) > HIGH_ENTROPY.bitsPerChar,
    );
  return random ? 'a random string (high entropy, like a key)' : undefined;
}
