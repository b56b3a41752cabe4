/**
 * Dates in the emulator's SQLite are stored as ISO-8601 UTC text with milliseconds (`2024-01-15T10:20:30.000Z`),
 * so comparisons are plain text comparisons. SuiteQL returns date columns in the user's date format (here the US
 * default `M/D/YYYY`, no time) unless the query formats them with TO_CHAR — which the emulator reproduces, so a
 * client that needs the time of `lastmodifieddate` must ask for it, as it would have to on a real account.
 */

const STORED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

export function toStoredDate(date: Date): string {
  return date.toISOString();
}

export function isStoredDate(value: unknown): value is string {
  return typeof value === 'string' && STORED.test(value);
}

/** The user-preference rendering SuiteQL applies to raw date columns. */
export function formatUserDate(stored: string): string {
  const m = STORED.exec(stored);
  if (!m) return stored;
  return `${Number(m[2])}/${Number(m[3])}/${m[1]}`;
}

/** Record API renderings. */
export function recordDate(stored: string | null): string | undefined {
  return stored ? stored.slice(0, 10) : undefined;
}
export function recordDateTime(stored: string | null): string | undefined {
  return stored ? `${stored.slice(0, 19)}Z` : undefined;
}

type Token =
  { kind: 'field'; field: 'YYYY' | 'MM' | 'DD' | 'HH24' | 'MI' | 'SS' | 'FF3' } | { kind: 'lit'; text: string };

const FIELD_TOKENS = ['YYYY', 'HH24', 'FF3', 'MM', 'DD', 'MI', 'SS'] as const;

/** Oracle-style format model: YYYY MM DD HH24 MI SS FF3, "quoted text", and punctuation. */
function tokenize(format: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < format.length) {
    const rest = format.slice(i);
    const field = FIELD_TOKENS.find((f) => rest.toUpperCase().startsWith(f));
    if (field) {
      tokens.push({ kind: 'field', field });
      i += field.length;
    } else if (rest.startsWith('"')) {
      const end = format.indexOf('"', i + 1);
      if (end < 0) throw new Error(`unterminated quoted text in date format ${format}`);
      tokens.push({ kind: 'lit', text: format.slice(i + 1, end) });
      i = end + 1;
    } else if (/^[-/:., T]/.test(rest)) {
      tokens.push({ kind: 'lit', text: rest[0] ?? '' });
      i += 1;
    } else {
      throw new Error(`unsupported date format element at "${rest}" in ${format}`);
    }
  }
  return tokens;
}

/** TO_DATE / TO_TIMESTAMP: parse `text` with `format` into the stored representation. */
export function parseWithFormat(text: string, format: string): string {
  const parts = { YYYY: 0, MM: 1, DD: 1, HH24: 0, MI: 0, SS: 0, FF3: 0 };
  let pos = 0;
  for (const token of tokenize(format)) {
    if (token.kind === 'lit') {
      if (text.slice(pos, pos + token.text.length) !== token.text)
        throw new Error(`"${text}" does not match ${format}`);
      pos += token.text.length;
    } else {
      const width = token.field === 'YYYY' ? 4 : token.field === 'FF3' ? 3 : 2;
      const digits = /^\d+/.exec(text.slice(pos, pos + width))?.[0];
      if (!digits) throw new Error(`"${text}" does not match ${format}`);
      parts[token.field] = Number(digits);
      pos += digits.length;
    }
  }
  if (pos !== text.length) throw new Error(`"${text}" does not match ${format}`);
  const date = new Date(Date.UTC(parts.YYYY, parts.MM - 1, parts.DD, parts.HH24, parts.MI, parts.SS, parts.FF3));
  if (date.getUTCMonth() !== parts.MM - 1 || date.getUTCDate() !== parts.DD) throw new Error(`invalid date "${text}"`);
  return toStoredDate(date);
}

/** TO_CHAR(date, format). */
export function formatWithFormat(stored: string, format: string): string {
  const m = STORED.exec(stored);
  if (!m) throw new Error(`TO_CHAR: not a date: ${stored}`);
  const values: Record<string, string> = {
    YYYY: m[1] ?? '',
    MM: m[2] ?? '',
    DD: m[3] ?? '',
    HH24: m[4] ?? '',
    MI: m[5] ?? '',
    SS: m[6] ?? '',
    FF3: m[7] ?? '',
  };
  return tokenize(format)
    .map((t) => (t.kind === 'lit' ? t.text : values[t.field]))
    .join('');
}
