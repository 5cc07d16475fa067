import { kindOfChannel, workspaceEventsPattern } from './workspace-events.service';
import { documentEventsChannel } from '../documents/document.types';
import { domainEventsChannel } from '../domains/domain-events';
import { importEventsChannel } from '../imports/import.types';
import { watchEventsChannel } from '../watches/watch.types';

describe('workspace event channels', () => {
  it('names the kind of each live channel of the workspace', () => {
    expect(kindOfChannel('w1', documentEventsChannel('w1', 'd1'))).toBe('document');
    expect(kindOfChannel('w1', importEventsChannel('w1', 'i1'))).toBe('import');
    expect(kindOfChannel('w1', domainEventsChannel('w1'))).toBe('domain');
    expect(kindOfChannel('w1', watchEventsChannel('w1', 'x'))).toBe('watch');
    expect(kindOfChannel('w1', 'cairn:ws:w1:connector:c1:events')).toBe('connector');
  });

  it('carries nothing of another workspace, nor channels that are not events', () => {
    expect(kindOfChannel('w1', documentEventsChannel('w1-other', 'd1'))).toBeUndefined();
    expect(kindOfChannel('w1', 'cairn:ws:w1:document:d1:progress')).toBeUndefined();
    expect(kindOfChannel('w1', 'cairn:ws:w1:unknown:events')).toBeUndefined();
  });

  it('subscribes to the workspace prefix only (the colon ends the id)', () => {
    expect(workspaceEventsPattern('w1')).toBe('cairn:ws:w1:*events');
  });
});
