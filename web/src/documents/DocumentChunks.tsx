import { useEffect, useRef } from 'react';
import { documentChunks } from '../api/endpoints';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';

/** The document's chunks with page and offsets; `focusStart` marks and scrolls to one of them. */
export function DocumentChunks({
  documentId,
  focusStart,
}: {
  documentId: string;
  focusStart?: number;
}) {
  const chunks = useAsync(() => documentChunks(documentId), [documentId]);
  const focused = useRef<HTMLLIElement>(null);

  useEffect(() => {
    focused.current?.scrollIntoView({ block: 'center' });
    focused.current?.focus({ preventScroll: true });
  }, [chunks.data]);

  return (
    <section className="card" aria-labelledby="chunks-heading">
      <h2 id="chunks-heading">Chunks</h2>
      <ErrorNotice error={chunks.error} title="The chunks could not be loaded" />
      {chunks.loading && !chunks.data ? (
        <Loading label="Loading chunks…" />
      ) : chunks.data && chunks.data.chunks.length === 0 ? (
        <Empty title="No chunks" />
      ) : (
        <ol className="chunks">
          {chunks.data?.chunks.map((chunk) => {
            const isFocus =
              focusStart !== undefined && chunk.start <= focusStart && focusStart < chunk.end;
            return (
              <li
                key={chunk.ord}
                ref={isFocus ? focused : undefined}
                tabIndex={isFocus ? -1 : undefined}
                className={isFocus ? 'chunk chunk-focus' : 'chunk'}
                aria-current={isFocus ? 'true' : undefined}
              >
                <p className="chunk-meta small muted">
                  #{chunk.ord + 1}
                  {chunk.locator !== undefined ? (
                    <> · {chunk.locator}</>
                  ) : (
                    chunk.page !== undefined && <> · page {chunk.page}</>
                  )}{' '}
                  · characters {chunk.start}–{chunk.end}
                </p>
                <p>{chunk.text}</p>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
