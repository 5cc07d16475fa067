import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { listDomains, listDocuments, listImports, readiness } from '../api/endpoints';
import type { ConsoleConfig } from '../api/types';
import { loadConsoleConfig } from '../auth/supabase';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { StatusBadge } from '../components/StatusBadge';
import { useAsync } from '../hooks/useAsync';
import { AlertsPanel } from '../operators/AlertsPanel';
import { TraceLookup } from '../operators/TraceLookup';
import { useOperator } from '../operators/useOperator';
import { useWorkspace } from '../workspace/WorkspaceContext';

interface Workflow {
  kind: string;
  name: string;
  link: string;
  status: string;
  url: string;
}

async function recentWorkflows(): Promise<Workflow[]> {
  const [documents, imports, domains] = await Promise.all([
    listDocuments({ limit: 20, offset: 0 }),
    listImports(10, 0),
    listDomains(10, 0),
  ]);
  return [
    ...documents.items
      .filter((item) => item.temporalUiUrl)
      .map((item) => ({
        kind: 'document',
        name: item.title,
        link: `/app/documents/${item.id}`,
        status: item.status,
        url: item.temporalUiUrl!,
      })),
    ...imports.items.map((item) => ({
      kind: 'import',
      name: item.source || item.id,
      link: '/app/imports',
      status: item.status,
      url: item.temporalUiUrl,
    })),
    ...domains.items.map((item) => ({
      kind: 'domain',
      name: item.name,
      link: `/app/domains/${item.id}`,
      status: item.status,
      url: item.temporalUiUrl,
    })),
  ];
}

export function OperatorsPage() {
  const workspace = useWorkspace();
  const health = useAsync(readiness, []);
  const workflows = useAsync(recentWorkflows, [workspace.current?.workspaceId]);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  useEffect(() => void loadConsoleConfig().then(setConfig), []);
  const operator = useOperator();

  return (
    <section className="page">
      <h1>Operators</h1>
      {operator && (
        <>
          <AlertsPanel />
          <section className="card" aria-labelledby="traces-heading">
            <h2 id="traces-heading">Traces</h2>
            <p className="small">
              Every document and search answer names its trace (X-Trace-Id); documents link their
              workflow's traces, and search results their own.
            </p>
            <TraceLookup />
            {config?.temporalUiUrl && (
              <p className="small">
                <a
                  href={`${config.temporalUiUrl}/namespaces/${config.temporalNamespace}/workflows`}
                  target="_blank"
                  rel="noreferrer"
                >
                  Workflows in the Temporal UI
                </a>
              </p>
            )}
          </section>
        </>
      )}
      {operator === false && (
        <p className="muted small">
          Alerts and traces span every workspace: they are shown to operators
          (CAIRN_OPERATOR_USER_IDS) only.
        </p>
      )}
      <section className="card" aria-labelledby="health-heading">
        <div className="card-head">
          <h2 id="health-heading">Dependencies</h2>
          <button type="button" onClick={health.reload}>
            Check again
          </button>
        </div>
        <ErrorNotice error={health.error} title="Readiness could not be read" />
        {health.loading && !health.data ? (
          <Loading label="Checking dependencies…" />
        ) : (
          health.data && (
            <ul className="health">
              {Object.entries(health.data.checks).map(([name, check]) => (
                <li key={name}>
                  <span className="health-name">{name}</span> <StatusBadge status={check.status} />{' '}
                  <span className="muted small">{check.latencyMs} ms</span>
                  {check.error && <p className="small">{check.error}</p>}
                </li>
              ))}
            </ul>
          )
        )}
        <p className="small">
          {config?.temporalUiUrl && (
            <>
              <a href={config.temporalUiUrl} target="_blank" rel="noreferrer">
                Temporal UI
              </a>{' '}
              ·{' '}
            </>
          )}
          {config?.prometheusUrl ? (
            <a href={config.prometheusUrl} target="_blank" rel="noreferrer">
              Prometheus
            </a>
          ) : (
            <span className="muted">Prometheus link not configured</span>
          )}
          {' · '}
          <a href="/metrics" target="_blank" rel="noreferrer">
            this API's metrics
          </a>
        </p>
      </section>
      <section className="card" aria-labelledby="workflows-heading">
        <h2 id="workflows-heading">Recent workflows</h2>
        <ErrorNotice error={workflows.error} title="The workflows could not be listed" />
        {workflows.loading && !workflows.data ? (
          <Loading label="Loading workflows…" />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Temporal</th>
                </tr>
              </thead>
              <tbody>
                {workflows.data?.map((flow) => (
                  <tr key={`${flow.kind}-${flow.url}`}>
                    <td>{flow.kind}</td>
                    <td>
                      <Link to={flow.link}>{flow.name}</Link>
                    </td>
                    <td>
                      <StatusBadge status={flow.status} />
                    </td>
                    <td>
                      <a href={flow.url} target="_blank" rel="noreferrer">
                        Open in Temporal UI<span className="visually-hidden"> for {flow.name}</span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
