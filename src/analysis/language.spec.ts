import { detectLanguage } from './language';

describe('detectLanguage', () => {
  it.each([
    ['en', 'The committee published its annual report on water quality in the region last week.'],
    [
      'de',
      'Der Ausschuss hat letzte Woche seinen Jahresbericht über die Wasserqualität veröffentlicht.',
    ],
    ['fr', "Le comité a publié la semaine dernière son rapport annuel sur la qualité de l'eau."],
    ['es', 'El comité publicó la semana pasada su informe anual sobre la calidad del agua.'],
    ['ja', '委員会は先週、地域の水質に関する年次報告書を発表しました。'],
  ])('recognises %s', (expected, text) => {
    expect(detectLanguage(text)).toBe(expected);
  });

  it.each([[''], ['   '], ['12345 67 890'], ['ok']])('answers und for %j', (text) => {
    expect(detectLanguage(text)).toBe('und');
  });

  // Longer than the English shortcut's minimum: each is still left to franc.
  it.each([
    [
      'de',
      'Die Stadt liegt am Ufer des Flusses und ist bekannt für ihre historische Altstadt, die im ' +
        'Mittelalter gegründet wurde. Sie hat heute mehr als hunderttausend Einwohner und eine ' +
        'Universität, an der in vielen Fächern gelehrt wird.',
    ],
    [
      'nl',
      'De stad ligt aan de oever van de rivier en is bekend om haar historische binnenstad, die ' +
        'in de middeleeuwen werd gesticht. Ze heeft nu meer dan honderdduizend inwoners en een ' +
        'universiteit.',
    ],
    [
      'fr',
      'La ville est située sur la rive du fleuve et elle est connue pour son centre historique, ' +
        'fondé au Moyen Âge. Elle compte aujourd’hui plus de cent mille habitants et une ' +
        'université.',
    ],
    [
      'it',
      'La città si trova sulla riva del fiume ed è nota per il suo centro storico, fondato nel ' +
        'Medioevo. Oggi conta più di centomila abitanti e una università molto antica.',
    ],
  ])('recognises a longer %s paragraph', (expected, text) => {
    expect(detectLanguage(text)).toBe(expected);
  });

  it('recognises English prose', () => {
    const prose =
      'The bridge was built in the nineteenth century by a company from the north of the ' +
      'country, and it has been one of the landmarks of the city since it was opened.';
    expect(detectLanguage(prose)).toBe('en');
  });

  it('looks only at the start of a long text', () => {
    const english = 'This sentence is written in plain English for the test. ';
    expect(detectLanguage(english.repeat(10_000))).toBe('en');
  });
});
