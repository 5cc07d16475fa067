// Entity colours by type: distinct hues, each dark enough for white labels (WCAG AA on fills).
export const TYPE_COLOURS: Record<string, string> = {
  person: '#1f5fa8',
  organization: '#7a3e9d',
  place: '#1d7348',
  work: '#a2461d',
  event: '#b0215f',
  date: '#5b6470',
  concept: '#8a6a00',
  other: '#4a4f57',
};

export const colourOf = (type: string): string => TYPE_COLOURS[type] ?? TYPE_COLOURS.other;
