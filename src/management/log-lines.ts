/**
 * Turns a stream of byte chunks into lines of text, without the line break. A line split across
 * chunks (or a UTF-8 character split across them) is joined first; a last line without a line
 * break is yielded at the end.
 */
export async function* toLines(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let end = pending.indexOf("\n");
    while (end !== -1) {
      yield pending.slice(0, end).replace(/\r$/, "");
      pending = pending.slice(end + 1);
      end = pending.indexOf("\n");
    }
  }
  pending += decoder.decode();
  if (pending !== "") {
    yield pending;
  }
}
