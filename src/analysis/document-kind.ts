export type DocumentKind = 'pdf' | 'docx' | 'html' | 'markdown' | 'text';

export const DOCUMENT_KINDS: readonly DocumentKind[] = ['pdf', 'docx', 'html', 'markdown', 'text'];

export const MIME_BY_KIND: Readonly<Record<DocumentKind, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
};

export interface DetectedType {
  mime: string;
  kind: DocumentKind;
}

export function detectedType(kind: DocumentKind): DetectedType {
  return { mime: MIME_BY_KIND[kind], kind };
}
