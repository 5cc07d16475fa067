import { Fragment } from 'react';

const STOP_WORDS = new Set([
  'the',
  'and',
  'for',
  'which',
  'what',
  'who',
  'whom',
  'where',
  'when',
  'how',
  'was',
  'were',
  'are',
  'is',
  'by',
  'in',
  'of',
  'a',
  'an',
  'to',
  'did',
  'does',
]);

function termsOf(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter(
    (term) => term.length > 2 && !STOP_WORDS.has(term),
  );
}

/** The text with the query's words marked. */
export function Highlighted({ text, query }: { text: string; query: string }) {
  const terms = termsOf(query);
  if (terms.length === 0) return <>{text}</>;
  const escaped = terms.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(${escaped.join('|')})`, 'giu');
  const parts = text.split(pattern);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? <mark key={index}>{part}</mark> : <Fragment key={index}>{part}</Fragment>,
      )}
    </>
  );
}
