import { batchHandoffId } from '../src/documents/artifacts';
import { decodeVectorsHandoff, encodeVectorsHandoff } from './artifact-io';

const vector = (...values: number[]) => Float32Array.from(values);

describe('batch hand-offs', () => {
  it('name a set of documents whatever their order', () => {
    expect(batchHandoffId(['b', 'a', 'c'])).toBe(batchHandoffId(['c', 'b', 'a']));
    expect(batchHandoffId(['a', 'b'])).not.toBe(batchHandoffId(['a', 'b', 'c']));
    expect(batchHandoffId(['a'])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('carry each document its own vectors, including a document without chunks', () => {
    const documents = [
      { documentId: 'first', vectors: [vector(1, 2, 3), vector(4, 5, 6)] },
      { documentId: 'empty', vectors: [] },
      // A view into a larger buffer, at an offset, as the embedder hands them out.
      { documentId: 'third', vectors: [new Float32Array([0, 7.5, -8, 9.25]).subarray(1)] },
    ];
    const decoded = decodeVectorsHandoff(encodeVectorsHandoff(3, documents));
    expect([...decoded.keys()]).toEqual(['first', 'empty', 'third']);
    expect(decoded.get('first')!.map((values) => [...values])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(decoded.get('empty')).toEqual([]);
    expect(decoded.get('third')!.map((values) => [...values])).toEqual([[7.5, -8, 9.25]]);
  });

  it('refuse a vector of the wrong size, and a header that does not match the values', () => {
    expect(() => encodeVectorsHandoff(3, [{ documentId: 'a', vectors: [vector(1, 2)] }])).toThrow(
      'a vector of 2 values, expected 3',
    );
    const bytes = encodeVectorsHandoff(2, [{ documentId: 'a', vectors: [vector(1, 2)] }]);
    const truncated = bytes.subarray(0, bytes.length - 8);
    expect(() => decodeVectorsHandoff(truncated)).toThrow('0 vectors for 1 chunks');
  });
});
