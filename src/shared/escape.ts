// Escaping what operators wrote before it reaches a terminal, a markdown document or a notification (issue 16
// point 4). One function per destination; pure, so the workflow (markdown details) and the client share them.
import { showControlChars } from './text';

/**
 * For a terminal: control characters (ANSI escapes, bells, OSC hyperlinks, carriage returns, newlines that would
 * forge a line, bidi overrides) are shown as visible escapes and never interpreted.
 */
export const escapeTerminal = (text: string): string => showControlChars(text);

/**
 * For markdown (the Temporal Web UI's Current Details): every ASCII punctuation character is backslash-escaped
 * (CommonMark §2.4 allows it for all of them), so no emphasis, heading, table cell (`|`), link, image or raw HTML
 * (`<img onerror>`) can form; control characters become visible escapes, so a newline cannot start a block.
 */
export function escapeMarkdown(text: string): string {
  return showControlChars(text).replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
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
