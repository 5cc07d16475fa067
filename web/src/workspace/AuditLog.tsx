import { useState } from 'react';
import { auditLog } from '../api/endpoints';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatTime } from '../components/format';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';

const PAGE_SIZE = 25;

/** The audit log, newest first, paged by cursor (older / newer). */
export function AuditLog({ version }: { version: number }) {
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const page = useAsync(() => auditLog(PAGE_SIZE, before), [before, version]);

  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <ErrorNotice error={page.error} title="The audit log could not be loaded" />
      {page.loading && !page.data ? (
        <Loading label="Loading the audit log…" />
      ) : page.data?.items.length === 0 ? (
        <Empty title="Nothing recorded yet" />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col" className="hide-narrow">
                  By
                </th>
                <th scope="col" className="hide-narrow">
                  Request
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data?.items.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatTime(entry.at)}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    {entry.targetType}
                    {typeof entry.details.name === 'string'
                      ? ` “${entry.details.name}”`
                      : entry.targetId
                        ? ` ${entry.targetId.slice(0, 8)}`
                        : ''}
                  </td>
                  <td className="hide-narrow small">
                    {entry.actor.apiKeyId
                      ? `API key ${entry.actor.apiKeyId.slice(0, 8)}`
                      : (entry.actor.userId?.slice(0, 8) ?? '—')}
                  </td>
                  <td className="hide-narrow small">
                    <code>{entry.requestId?.slice(0, 12) ?? '—'}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Audit log pages">
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          disabled={!page.data?.nextBefore}
          onClick={() => page.data?.nextBefore && setCursors([...cursors, page.data.nextBefore])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
