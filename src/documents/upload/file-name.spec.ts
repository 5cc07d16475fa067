import { attachmentDisposition, fileNameProblem } from './file-name';

describe('fileNameProblem', () => {
  it.each(['report.pdf', 'Résumé 2024 (final).docx', 'notes.v2.md', '日本語.txt'])(
    'accepts %j',
    (name) => expect(fileNameProblem(name)).toBeNull(),
  );

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['../../etc/passwd.txt', /path separators/],
    ['dir\\file.txt', /path separators/],
    ['..', /"\.\."/],
    ['a..b.txt', /"\.\."/],
    ['bell\u0007.txt', /control characters/],
    ['line\nbreak.txt', /control characters/],
    ['nul\u0000.txt', /control characters/],
    ['c1\u0085.txt', /control characters/],
    ['invoice\u202etxt.exe', /control characters/],
    ['x'.repeat(256), /longer than 255/],
  ])('refuses %j', (name, problem) => expect(fileNameProblem(name)).toMatch(problem));
});

describe('attachmentDisposition', () => {
  it('keeps plain names as they are', () => {
    expect(attachmentDisposition('report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
  });

  it('gives non-ASCII names an ASCII fallback and an exact RFC 5987 form', () => {
    expect(attachmentDisposition('Résumé "final".pdf')).toBe(
      `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
  });

  it('cannot be broken out of by quotes, separators or line breaks', () => {
    const header = attachmentDisposition('a"; filename=evil.exe\r\nX-Injected: 1/..\\b');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.split('"')).toHaveLength(3);
    expect(header).toMatch(
      /^attachment; filename="[^"\\/]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/,
    );
  });

  it('falls back to "document" for a name with nothing printable', () => {
    expect(attachmentDisposition('\u0001\u0002')).toMatch(/filename="document"/);
  });
});
