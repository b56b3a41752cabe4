/**
 * Splits a byte stream into JSON Lines records without ever holding more than one partial line, so a result
 * file of millions of rows streams in constant memory. Blank lines are skipped. The first `skipRows` records are
 * counted, not parsed: a chunk that starts at row 100,000 parsed and validated 100,000 rows only to drop them.
 */
export async function* splitJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  skipRows = 0,
): AsyncGenerator<{ line: number; value: unknown }> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let line = 0;
  let toSkip = skipRows;
  const parse = (text: string): { line: number; value: unknown } | null => {
    if (toSkip > 0) {
      toSkip--;
      line++;
      return null;
    }
    line++;
    try {
      return { line, value: JSON.parse(text) as unknown };
    } catch (error) {
      throw new SyntaxError(`Line ${line} of the result file is not JSON: ${(error as Error).message}`);
    }
  };
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    let start = 0;
    while (newline !== -1) {
      const text = pending.slice(start, newline).trim();
      if (text.length > 0) {
        const record = parse(text);
        if (record) yield record;
      } else line++;
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  const rest = pending.trim();
  const record = rest.length > 0 ? parse(rest) : null;
  if (record) yield record;
}
