import type { ExtractedDocument } from './extracted-document';
import { PackageParts } from './package-parts';
import { SectionedText } from './sectioned-text';
import { xmlElements, xmlText, type XmlTextRules } from './xml-text';
import type { ZipLimits } from './zip-inspect';

const DRAWING_TEXT: XmlTextRules = {
  textElements: new Set(['a:t']),
  paragraphElements: new Set(['a:p', 'p:sp', 'p:graphicFrame']),
  lineElements: new Set(['a:br', 'a:tr']),
  cellElements: new Set(['a:tc']),
  // The fallback repeats the choice's content; slide-number fields in notes are not text.
  skippedElements: new Set(['mc:Fallback', 'a:fld']),
};

/** PowerPoint: each slide's text (shapes, tables) then its speaker notes, in presentation order. */
export async function extractPptx(bytes: Buffer, limits: ZipLimits): Promise<ExtractedDocument> {
  const parts = await PackageParts.open(
    bytes,
    limits,
    'PowerPoint presentation',
    (name) => name.endsWith('.xml') || name.endsWith('.rels'),
  );
  const presentation = 'ppt/presentation.xml';
  const relationships = parts.relationships(presentation);
  const slides = xmlElements(parts.requiredXml(presentation), 'p:sldId')
    .map((slide) => relationships.get(slide['r:id'] ?? '')?.target)
    .filter((target): target is string => target !== undefined && parts.has(target));

  const text = new SectionedText();
  slides.forEach((slidePart, index) => {
    const label = `slide ${index + 1}`;
    text.add(label, xmlText(parts.requiredXml(slidePart), DRAWING_TEXT));
    const notes = [...parts.relationships(slidePart).values()].find(({ type }) =>
      type.endsWith('/notesSlide'),
    );
    const notesXml = notes && parts.xml(notes.target);
    if (notesXml) text.add(`${label} notes`, xmlText(notesXml, DRAWING_TEXT));
  });
  const title = coreTitle(parts);
  return { ...text.build(), ...(title ? { title } : {}) };
}

/** The title from an OOXML package's core properties, if set. */
export function coreTitle(parts: PackageParts): string | undefined {
  const core = parts.xml('docProps/core.xml');
  if (!core) return undefined;
  const title = xmlText(core, {
    textElements: new Set(['dc:title']),
    paragraphElements: new Set(),
    lineElements: new Set(),
  });
  return title.replace(/\s+/g, ' ').trim() || undefined;
}
