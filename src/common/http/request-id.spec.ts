import { chooseRequestId } from './request-id';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('chooseRequestId', () => {
  it('keeps a plain incoming id', () => {
    expect(chooseRequestId('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    expect(chooseRequestId(['first', 'second'])).toBe('first');
  });

  it('generates a UUID when none, or an unsafe one, is given', () => {
    expect(chooseRequestId(undefined)).toMatch(uuid);
    expect(chooseRequestId('')).toMatch(uuid);
    expect(chooseRequestId('has space')).toMatch(uuid);
    expect(chooseRequestId('line\nbreak')).toMatch(uuid);
    expect(chooseRequestId('x'.repeat(129))).toMatch(uuid);
  });
});
