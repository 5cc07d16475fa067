import { currentRequestFields, runWithRequest } from './request-context';

describe('currentRequestFields', () => {
  it('names the request being served, including a workspace resolved later', async () => {
    const request: { requestId: string; workspaceId?: string } = { requestId: 'r-1' };
    const seen = await new Promise((resolve) => {
      runWithRequest(request, () => {
        request.workspaceId = 'ws-1';
        setTimeout(() => resolve(currentRequestFields()), 1);
      });
    });
    expect(seen).toEqual({ requestId: 'r-1', workspaceId: 'ws-1' });
  });

  it('is empty outside a request', () => {
    expect(currentRequestFields()).toEqual({});
  });
});
