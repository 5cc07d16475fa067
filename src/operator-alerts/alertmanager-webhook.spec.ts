import { alertmanagerWebhookSchema, receivedAlerts } from './alertmanager-webhook';

// What Alertmanager 0.25 posts for one group (version 4), trimmed to a firing and a resolved alert.
const notification = {
  version: '4',
  groupKey: '{}:{alertname="CairnDependencyDown", dependency="weaviate"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'cairn',
  groupLabels: { alertname: 'CairnDependencyDown', dependency: 'weaviate' },
  commonLabels: { alertname: 'CairnDependencyDown', dependency: 'weaviate', severity: 'page' },
  commonAnnotations: {},
  externalURL: 'http://127.0.0.1:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'CairnDependencyDown', dependency: 'weaviate', severity: 'page' },
      annotations: {
        summary: 'Dependency weaviate is down',
        runbook_url: 'docs/operations.md#runbook-cairndependencydown',
      },
      startsAt: '2026-12-07T17:00:01.123Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=x',
      fingerprint: '8f2c1e4d5a6b7c80',
    },
    {
      status: 'resolved',
      labels: { alertname: 'CairnTargetDown', job: 'temporal', instance: '127.0.0.1:9233' },
      annotations: {},
      startsAt: '2026-12-07T16:00:00Z',
      endsAt: '2026-12-07T16:05:00Z',
      generatorURL: '',
      fingerprint: '0a1b',
    },
  ],
};

describe('Alertmanager webhook payload', () => {
  it('keeps what Cairn records, with no end for a firing alert', () => {
    const [firing, resolved] = receivedAlerts(alertmanagerWebhookSchema.parse(notification));
    expect(firing).toEqual({
      fingerprint: '8f2c1e4d5a6b7c80',
      status: 'firing',
      alertname: 'CairnDependencyDown',
      severity: 'page',
      labels: { alertname: 'CairnDependencyDown', dependency: 'weaviate', severity: 'page' },
      annotations: {
        summary: 'Dependency weaviate is down',
        runbook_url: 'docs/operations.md#runbook-cairndependencydown',
      },
      startsAt: new Date('2026-12-07T17:00:01.123Z'),
      endsAt: null,
      generatorUrl: 'http://127.0.0.1:9090/graph?g0.expr=x',
    });
    expect(resolved).toMatchObject({
      status: 'resolved',
      severity: null,
      endsAt: new Date('2026-12-07T16:05:00Z'),
      generatorUrl: null,
    });
  });

  it.each([
    ['another version', { ...notification, version: '3' }],
    ['no alerts', { ...notification, alerts: [] }],
    [
      'an alert without alertname',
      { ...notification, alerts: [{ ...notification.alerts[0], labels: {} }] },
    ],
    [
      'a fingerprint that is not hex',
      { ...notification, alerts: [{ ...notification.alerts[0], fingerprint: "x'; --" }] },
    ],
    [
      'a start that is no time',
      { ...notification, alerts: [{ ...notification.alerts[0], startsAt: 'soon' }] },
    ],
  ])('refuses %s', (_, payload) => {
    expect(alertmanagerWebhookSchema.safeParse(payload).success).toBe(false);
  });
});
