import { useState } from 'react';
import { Link } from 'react-router';
import { listDomains } from '../api/endpoints';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatTime } from '../components/format';
import { Loading } from '../components/Loading';
import { Pager } from '../components/Pager';
import { StatusBadge } from '../components/StatusBadge';
import { useAsync } from '../hooks/useAsync';
import { useWorkspace } from '../workspace/WorkspaceContext';

const PAGE_SIZE = 20;

export function DomainsPage() {
  const workspace = useWorkspace();
  const [offset, setOffset] = useState(0);
  const domains = useAsync(
    () => listDomains(PAGE_SIZE, offset),
    [offset, workspace.current?.workspaceId],
  );

  return (
    <section className="page">
      <div className="page-head">
        <h1>Knowledge domains</h1>
        {workspace.can('editor') && (
          <Link className="button-link primary" to="/app/domains/new">
            New domain
          </Link>
        )}
      </div>
      <p className="muted">
        A domain gathers documents around topics, drafts an overview and, in review mode, waits for
        a reviewer's approval before search can use it.
      </p>
      <ErrorNotice error={domains.error} title="The domains could not be loaded" />
      {domains.loading && !domains.data ? (
        <Loading label="Loading domains…" />
      ) : domains.data && domains.data.items.length === 0 ? (
        <Empty title="No domains yet">
          {workspace.can('editor')
            ? 'Create one from documents you uploaded.'
            : 'An editor can create one.'}
        </Empty>
      ) : (
        <div className="card table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">
                  Stage
                </th>
                <th scope="col" className="hide-narrow">
                  Documents
                </th>
                <th scope="col" className="hide-narrow">
                  Created
                </th>
              </tr>
            </thead>
            <tbody>
              {domains.data?.items.map((domain) => (
                <tr key={domain.id}>
                  <td>
                    <Link to={`/app/domains/${domain.id}`}>{domain.name}</Link>
                  </td>
                  <td>
                    <StatusBadge status={domain.status} />
                  </td>
                  <td className="hide-narrow">{domain.stage ?? '—'}</td>
                  <td className="hide-narrow">{domain.documentCount}</td>
                  <td className="hide-narrow">{formatTime(domain.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {domains.data && (
        <Pager
          offset={offset}
          limit={PAGE_SIZE}
          total={domains.data.total}
          onChange={setOffset}
          label="Domain pages"
        />
      )}
    </section>
  );
}
