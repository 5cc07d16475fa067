import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { followAlerts, listAlerts, type OperatorAlert } from '../api/endpoints';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatTime } from '../components/format';
import { Loading } from '../components/Loading';
import { runbookLink } from './runbooks';

/** Newest notification first, as the API lists them. */
function byLastNotification(a: OperatorAlert, b: OperatorAlert): number {
  return b.lastReceivedAt.localeCompare(a.lastReceivedAt);
}

function RunbookAnchor({ url, alertname }: { url: string; alertname: string }) {
  const { internal, href } = runbookLink(url);
  const label = (
    <>
      Runbook<span className="visually-hidden"> for {alertname}</span>
    </>
  );
  return internal ? (
    <Link to={href}>{label}</Link>
  ) : (
    <a href={href} target="_blank" rel="noreferrer">
      {label}
    </a>
  );
}

function AlertRow({ alert }: { alert: OperatorAlert }) {
  const summary = alert.annotations.summary ?? alert.annotations.description ?? '';
  const runbook = alert.annotations.runbook_url;
  const labels = Object.entries(alert.labels).filter(
    ([name]) => name !== 'alertname' && name !== 'severity',
  );
  return (
    <tr data-alert={alert.alertname} data-status={alert.status}>
      <td>
        <span className={`badge badge-${alert.status === 'firing' ? 'bad' : 'ok'}`}>
          {alert.status}
        </span>
      </td>
      <td>
        <strong>{alert.alertname}</strong>
        {summary && <p className="small">{summary}</p>}
        {labels.length > 0 && (
          <p className="muted small">
            {labels.map(([name, value]) => `${name}=${value}`).join(' · ')}
          </p>
        )}
      </td>
      <td>{alert.severity ?? '—'}</td>
      <td>
        <time dateTime={alert.startsAt}>{formatTime(alert.startsAt)}</time>
        {alert.status === 'resolved' && alert.endsAt && (
          <p className="muted small">
            resolved <time dateTime={alert.endsAt}>{formatTime(alert.endsAt)}</time>
          </p>
        )}
        {alert.notifications > 1 && (
          <p className="muted small">{alert.notifications} notifications</p>
        )}
      </td>
      <td>
        {runbook ? (
          <RunbookAnchor url={runbook} alertname={alert.alertname} />
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

function AlertTable({ alerts, caption }: { alerts: OperatorAlert[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Alert</th>
            <th scope="col">Severity</th>
            <th scope="col">Since</th>
            <th scope="col">Runbook</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <AlertRow key={alert.id} alert={alert} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The alerts Alertmanager delivered to POST /operator/alerts: those still firing, then the
 * recent ones, kept current from the operators' alert stream (each recorded notification).
 */
export function AlertsPanel() {
  const [alerts, setAlerts] = useState<OperatorAlert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);

  const load = useCallback(() => {
    listAlerts().then(
      ({ items }) => {
        setAlerts(items);
        setError(null);
      },
      (failure: unknown) => setError(failure),
    );
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    followAlerts(
      ({ alert }) =>
        setAlerts((shown) =>
          [alert, ...(shown ?? []).filter((item) => item.id !== alert.id)].sort(byLastNotification),
        ),
      () => {
        setLive(true);
        load(); // Whatever was recorded before the stream opened.
      },
      controller.signal,
    ).catch((failure: unknown) => {
      setLive(false);
      setError(failure);
    });
    return () => controller.abort();
  }, [load]);

  const firing = alerts?.filter((alert) => alert.status === 'firing') ?? [];
  const resolved = alerts?.filter((alert) => alert.status === 'resolved') ?? [];
  return (
    <section className="card" aria-labelledby="alerts-heading">
      <div className="card-head">
        <h2 id="alerts-heading">Alerts</h2>
        <span className="muted small" role="status">
          {live ? 'live' : 'connecting…'}
        </span>
      </div>
      <ErrorNotice error={error} title="The alerts could not be read" />
      {!alerts ? (
        !error && <Loading label="Loading alerts…" />
      ) : (
        <>
          <h3>Firing ({firing.length})</h3>
          {firing.length === 0 ? (
            <p className="muted">Nothing is firing.</p>
          ) : (
            <AlertTable alerts={firing} caption="Alerts firing now" />
          )}
          <h3>Recently resolved ({resolved.length})</h3>
          {resolved.length === 0 ? (
            <p className="muted">No resolved alerts recorded.</p>
          ) : (
            <AlertTable alerts={resolved} caption="Alerts resolved recently" />
          )}
        </>
      )}
      <p className="muted small">
        From Alertmanager through POST /operator/alerts; each rule's runbook is in
        docs/operations.md.
      </p>
    </section>
  );
}
