// Where a file stops being UTF-8, so an error can name the line to fix.
/** The 1-based line of the first byte sequence that is not UTF-8, or null when all of it is. */
export function firstNonUtf8Line(bytes: Uint8Array): number | null {
  // A line feed never occurs inside a multi-byte UTF-8 sequence, so lines can be checked one by one.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line += 1) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return null;
}
