// Operators' free text, checked and measured the same way everywhere (schemas, the workflow's state bounds, the
// renderers). Pure: imported by workflows.

/**
 * Characters that have no business in anything an operator writes: C0 controls (incl. newline, tab, ESC), DEL, C1
 * controls, and the Unicode bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text
 * display in another order than it reads (issue 16 point 4).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const CONTROL_CHARS_ALL = new RegExp(CONTROL_CHARS.source, 'g');

export const hasControlChars = (text: string): boolean => CONTROL_CHARS.test(text);

/** Each control character as visible text (`\x1b`, `\n`, `\u202e`): an operator sees what was sent, inert. */
export function showControlChars(text: string): string {
  return text.replace(CONTROL_CHARS_ALL, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** The first `max` characters, saying how long the whole was. */
export function clip(text: string, max: number): string;
export function clip(text: string | undefined, max: number): string | undefined;
export function clip(text: string | undefined, max: number): string | undefined {
  return text === undefined || text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** UTF-8 length of a string (what a payload costs), without TextEncoder. */
export function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4; // a surrogate pair: one 4-byte character
      i++;
    } else n += 3;
  }
  return n;
}

/** The UTF-8 size of a value as a JSON payload. */
export const jsonBytes = (value: unknown): number => utf8Bytes(JSON.stringify(value) ?? '');
