import { CairnError } from '../../common/errors/cairn-error';
import { parseTextUpload } from './text-upload';

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    const cairnError = error as CairnError;
    expect(cairnError.code).toBe('invalid_input');
    return (cairnError.problems ?? [cairnError.message]).join('\n');
  }
  throw new Error('expected an invalid_input CairnError');
};

describe('parseTextUpload', () => {
  it('accepts a title and text, trimming the title', () => {
    expect(parseTextUpload(Buffer.from('{"title":"  Hi  ","text":"Ünïcode text"}'))).toEqual({
      title: 'Hi',
      text: 'Ünïcode text',
    });
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    const body = Buffer.concat([
      Buffer.from('{"title":"t","text":"caf'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(messageOf(() => parseTextUpload(body))).toMatch(/not valid UTF-8/);
  });

  it('refuses lone surrogate escapes', () => {
    expect(
      messageOf(() => parseTextUpload(Buffer.from('{"title":"t","text":"a\\ud800b"}'))),
    ).toMatch(/text: contains an unpaired UTF-16 surrogate/);
  });

  it('reports every missing or bad field at once', () => {
    const message = messageOf(() => parseTextUpload(Buffer.from('{"title":"","text":" "}')));
    expect(message).toMatch(/title: must not be empty/);
    expect(message).toMatch(/text: must not be empty/);
    expect(messageOf(() => parseTextUpload(Buffer.from('{}')))).toMatch(/title: is required/);
    expect(
      messageOf(() => parseTextUpload(Buffer.from(`{"title":"${'x'.repeat(501)}","text":"t"}`))),
    ).toMatch(/at most 500/);
  });

  it('refuses a body that is not JSON', () => {
    expect(messageOf(() => parseTextUpload(Buffer.from('title=x')))).toMatch(/not valid JSON/);
  });
});
