import { posix } from 'node:path';
import { UnprocessableDocumentError } from './errors';
import { decodeXmlPart, xmlElements } from './xml-text';
import { assertZipIsSafe, readZipEntries, type ZipLimits } from './zip-inspect';

/**
 * The parts of a zip-based document (OOXML, OpenDocument, EPUB), read once after the archive has
 * been proven safe to inflate. XML parts are decoded through the entity guard.
 */
export class PackageParts {
  private constructor(
    private readonly parts: Map<string, Buffer>,
    private readonly formatName: string,
  ) {}

  static async open(
    bytes: Buffer,
    limits: ZipLimits,
    formatName: string,
    wanted: (name: string) => boolean = () => true,
  ): Promise<PackageParts> {
    await assertZipIsSafe(bytes, limits);
    return new PackageParts(await readZipEntries(bytes, wanted, limits.maxPartBytes), formatName);
  }

  names(): string[] {
    return [...this.parts.keys()];
  }

  has(name: string): boolean {
    return this.parts.has(name);
  }

  /** An XML part's text, or undefined when the package lacks it. */
  xml(name: string): string | undefined {
    const bytes = this.parts.get(name);
    return bytes === undefined ? undefined : decodeXmlPart(bytes, name);
  }

  /** An XML part the format cannot do without. */
  requiredXml(name: string): string {
    const xml = this.xml(name);
    if (xml === undefined) {
      throw new UnprocessableDocumentError(
        'corrupt_document',
        `The ${this.formatName} is damaged: its part ${name} is missing.`,
      );
    }
    return xml;
  }

  /** An OOXML part's relationships: id → target part name (external targets left out). */
  relationships(partName: string): Map<string, { target: string; type: string }> {
    const directory = posix.dirname(partName);
    const relsName = posix.join(directory, '_rels', `${posix.basename(partName)}.rels`);
    const xml = this.xml(relsName);
    const found = new Map<string, { target: string; type: string }>();
    if (xml === undefined) return found;
    for (const rel of xmlElements(xml, 'Relationship')) {
      if (!rel.Id || !rel.Target || rel.TargetMode === 'External') continue;
      found.set(rel.Id, { target: resolvePartName(directory, rel.Target), type: rel.Type ?? '' });
    }
    return found;
  }
}

/** A relative (or package-absolute) target resolved against the folder of its source part. */
export function resolvePartName(directory: string, target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : posix.join(directory, target);
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A stray '%' is part of the name.
  }
  return posix.normalize(decoded).replace(/^(\.\.\/)+/, '');
}
