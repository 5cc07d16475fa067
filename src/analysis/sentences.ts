// One segmenter for the process: building it loads ICU break rules, iterating is cheap.
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * How much text the segmenter sees at once. Iterating Intl.Segmenter's sentences costs time in
 * proportion to the whole string at every step (V8 20–22): 280 000 characters of prose took 30 s,
 * a few megabytes hours. Windows keep the cost linear; a window must be longer than any chunk.
 */
export const SENTENCE_WINDOW_CHARS = 4_096;

/**
 * The sentences of `text[start, end)` as absolute [start, end) spans, untrimmed, in order and
 * without gaps. Each window's last sentence may continue past the window, so the next window
 * starts at it; a "sentence" longer than a window is cut at the window's end.
 */
export function* sentenceSpans(
  text: string,
  start: number,
  end: number,
  windowChars = SENTENCE_WINDOW_CHARS,
): Generator<[number, number]> {
  let from = start;
  while (from < end) {
    const to = Math.min(end, from + windowChars);
    const spans: [number, number][] = [];
    for (const { segment, index } of sentenceSegmenter.segment(text.slice(from, to))) {
      spans.push([from + index, from + index + segment.length]);
    }
    // The window ended inside the text: its last sentence may go on, unless it is all there is.
    const open = to < end && spans.length > 1;
    const complete = open ? spans.slice(0, -1) : spans;
    yield* complete;
    from = complete[complete.length - 1][1];
  }
}
