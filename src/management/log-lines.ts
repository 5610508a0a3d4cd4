/**
 * Turns the messages of a machine-log stream into lines of text, without line breaks. Omni sends
 * each log line as one message with no line break of its own (its Go client adds one per
 * message), so every message ends a line. A message holding several lines is split on "\n", a
 * line break at its end adds no empty line, and a "\r" ending a line is dropped.
 */
export async function* toLines(
  messages: AsyncIterable<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  for await (const message of messages) {
    const lines = decoder.decode(message).split("\n");
    if (lines.length > 1 && lines.at(-1) === "") {
      lines.pop();
    }
    for (const line of lines) {
      yield line.replace(/\r$/, "");
    }
  }
}
