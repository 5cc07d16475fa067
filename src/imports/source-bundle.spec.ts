import { createHash } from 'node:crypto';
import { decodeSourceBundle, encodeSourceBundle, sourceBundleName } from './source-bundle';

const entry = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
};

describe('import source bundles', () => {
  it('gives back every entry by its content hash, empty ones and newlines included', () => {
    const entries = [entry('Paris is in France.\n'), entry(''), entry('Ünïcode\n\nlines')];
    const decoded = decodeSourceBundle(encodeSourceBundle(entries));
    expect([...decoded.keys()]).toEqual(entries.map(({ sha256 }) => sha256));
    for (const { sha256, bytes } of entries) expect(decoded.get(sha256)?.equals(bytes)).toBe(true);
  });

  it('leaves out an entry whose bytes do not hash to its name, and keeps the others', () => {
    const [good, altered] = [entry('kept'), entry('changed')];
    const bundle = encodeSourceBundle([altered, good]);
    // Same length, other bytes: the first entry's content no longer matches its hash.
    bundle.write('C', bundle.indexOf('changed'), 'utf8');
    const decoded = decodeSourceBundle(bundle);
    expect(decoded.has(altered.sha256)).toBe(false);
    expect(decoded.get(good.sha256)?.toString()).toBe('kept');
  });

  it('gives nothing for a bundle that does not parse or is cut short', () => {
    expect(decodeSourceBundle(Buffer.alloc(0)).size).toBe(0);
    expect(decodeSourceBundle(Buffer.from('not json\nbytes')).size).toBe(0);
    expect(decodeSourceBundle(Buffer.from('{"a":1}\n')).size).toBe(0);
    const whole = encodeSourceBundle([entry('first'), entry('second')]);
    const cut = decodeSourceBundle(whole.subarray(0, whole.length - 2));
    expect([...cut.values()].map((bytes) => bytes.toString())).toEqual(['first']);
  });

  it('names a batch by batch size and number', () => {
    expect(sourceBundleName(100, 7)).toBe('batch-sources/100-7');
  });
});
