// Escaping what operators wrote before it reaches a terminal, a markdown document or a notification (issue 16
// point 4). One function per destination; pure, so the workflow (markdown details) and the client share them.
import { showControlChars } from './text';

/**
 * For a terminal: control characters (ANSI escapes, bells, OSC hyperlinks, carriage returns, newlines that would
 * forge a line, bidi overrides) are shown as visible escapes and never interpreted.
 */
export const escapeTerminal = (text: string): string => showControlChars(text);

/**
 * Markdown's and HTML's special characters, backslash-escaped. The set is the one the Temporal Web UI's renderer
 * honours (marked's GFM escapes; it shows a backslash before others such as `@`, `=`, `/`: seen in
 * test/cli/web-ui.test.ts), and it is enough: no emphasis, heading, list, table cell (`|`), link, image or raw HTML
 * (`<img onerror>`) can form without these characters.
 */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~:]/g;

/**
 * For markdown (the Web UI's Current Details): special characters escaped, control characters made visible, so a
 * newline cannot start a block either.
 */
export function escapeMarkdown(text: string): string {
  return showControlChars(text).replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
}

/**
 * For Slack mrkdwn (notifications): `&`, `<` and `>` are the characters Slack asks to escape ("Escaping text",
 * Slack's formatting docs), which also keeps `<!channel>`, `<@user>` and `<url|label>` from forming. A notification
 * is several lines the workflow composed, so newlines stay; every other control character becomes visible.
 */
export function escapeSlack(text: string): string {
  return text
    .split('\n')
    .map(showControlChars)
    .join('\n')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
