import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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

  it('looks only at the start of a long text', () => {
    const english = 'This sentence is written in plain English for the test. ';
    expect(detectLanguage(english.repeat(10_000))).toBe('en');
  });
});

const corpusPath = resolve(__dirname, '../../../shared/datasets/musique-100/corpus.json');
it('calls the English MuSiQue passages English', () => {
  const passages = JSON.parse(readFileSync(corpusPath, 'utf8')) as { text: string }[];
  const english = passages.filter(({ text }) => detectLanguage(text) === 'en').length;
  expect(english / passages.length).toBeGreaterThan(0.99);
});
