import {
  acronymOf,
  entityKey,
  findParentheticalAcronyms,
  isAcronymFor,
  looksLikeAcronym,
  wellKnownLongForm,
} from './normalize';

describe('entityKey', () => {
  it('maps case, punctuation, hyphens and a leading "the" to one key', () => {
    const keys = [
      'The New York Times',
      'new york times',
      'New-York Times',
      '  New  York   Times. ',
    ].map(entityKey);
    expect(new Set(keys)).toEqual(new Set(['new york times']));
  });

  it('ignores diacritics, possessives and honorifics', () => {
    expect(entityKey('São Paulo')).toBe(entityKey('Sao Paulo'));
    expect(entityKey("Rogers's")).toBe('rogers');
    expect(entityKey('Dr. Carl Rogers')).toBe(entityKey('Carl Rogers'));
    expect(entityKey('U.S.')).toBe(entityKey('US'));
  });

  it('drops the plural of a lone common noun but keeps it in names', () => {
    expect(entityKey('networks')).toBe(entityKey('network'));
    expect(entityKey('Times')).toBe('times');
    expect(entityKey('The Rolling Stones')).not.toBe(entityKey('Rolling Stone'));
  });

  it('keeps a lone "The" and gives an empty key to punctuation', () => {
    expect(entityKey('The')).toBe('the');
    expect(entityKey('--')).toBe('');
  });
});

describe('acronyms', () => {
  it('builds initials of the significant words', () => {
    expect(acronymOf('New York City')).toBe('NYC');
    expect(acronymOf('University of California, Los Angeles')).toBe('UCLA');
    expect(acronymOf('Paris')).toBeUndefined();
  });

  it('recognises acronyms and what they abbreviate', () => {
    expect(looksLikeAcronym('NYC')).toBe(true);
    expect(looksLikeAcronym('U.S.')).toBe(true);
    expect(looksLikeAcronym('Nyc')).toBe(false);
    expect(isAcronymFor('NBA', 'National Basketball Association')).toBe(true);
    expect(isAcronymFor('NBA', 'New York City')).toBe(false);
  });

  it('finds "Long Form (ACR)" declarations among known names', () => {
    const text =
      'He moved to New York City (NYC) and joined the National Basketball Association (NBA).';
    expect(
      findParentheticalAcronyms(text, [
        'New York City',
        'York City',
        'National Basketball Association',
      ]),
    ).toEqual([
      { longForm: 'New York City', alias: 'NYC' },
      { longForm: 'National Basketball Association', alias: 'NBA' },
    ]);
    expect(findParentheticalAcronyms('Paris (France)', ['Paris'])).toEqual([]);
  });

  it('knows a few abbreviations that come without their long form', () => {
    expect(wellKnownLongForm('U.S.A.')).toBe('United States');
    expect(wellKnownLongForm('NYC')).toBe('New York City');
    expect(wellKnownLongForm('ABC')).toBeUndefined();
  });
});
