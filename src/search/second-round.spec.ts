import { bridgeEntityKeys, rankByBridges, titleEntityKey } from './second-round';

describe('second retrieval round', () => {
  it('reads a title as the entity the passage is about', () => {
    expect(titleEntityKey('Mercury (planet)')).toBe('mercury');
    expect(titleEntityKey('The Beatles')).toBe('beatles');
  });

  it('follows the entities the best hits name and the query does not', () => {
    const bridges = bridgeEntityKeys(
      [
        {
          title: 'Yellow Submarine (song)',
          entityKeys: ['beatles', 'ringo starr', 'yellow submarine'],
        },
        { title: 'Ringo Starr', entityKeys: ['liverpool', 'beatles'] },
      ],
      'Where was the drummer of the band that sang Yellow Submarine born?',
      new Set(['yellow submarine']),
    );
    // The hit's own subject (Ringo Starr for the second hit) is still a bridge of the first hit.
    expect(bridges).toEqual(['beatles', 'ringo starr', 'liverpool']);
  });

  it('leaves out entities the query names word for word', () => {
    expect(
      bridgeEntityKeys(
        [{ title: 'A', entityKeys: ['paris', 'france'] }],
        'Is Paris big?',
        new Set(),
      ),
    ).toEqual(['france']);
  });

  it('ranks the passages about a bridge by the bridge order, then by their own order', () => {
    const ranked = rankByBridges(
      [
        { chunkId: 'd1:0', title: 'Liverpool' },
        { chunkId: 'd2:0', title: 'Unrelated' },
        { chunkId: 'd3:0', title: 'The Beatles' },
        { chunkId: 'd4:0', title: 'Liverpool (city)' },
      ],
      ['beatles', 'liverpool'],
    );
    expect(ranked).toEqual(['d3:0', 'd1:0', 'd4:0']);
  });
});
