import { loadConfig } from '../config/config';
import { TemporalClientService } from './temporal-client.service';

describe('TemporalClientService.workflowUiUrl', () => {
  const config = loadConfig({
    ...process.env,
    TEMPORAL_UI_URL: 'http://127.0.0.1:8233/',
    TEMPORAL_NAMESPACE: 'cairn',
  });
  const service = new TemporalClientService(config);

  it('links to the latest run of a workflow', () => {
    expect(service.workflowUiUrl('doc:default:abc')).toBe(
      'http://127.0.0.1:8233/namespaces/cairn/workflows/doc%3Adefault%3Aabc',
    );
  });

  it('links to one run history when the run id is known', () => {
    expect(service.workflowUiUrl('smoke-1', 'run-9')).toBe(
      'http://127.0.0.1:8233/namespaces/cairn/workflows/smoke-1/run-9/history',
    );
  });
});
