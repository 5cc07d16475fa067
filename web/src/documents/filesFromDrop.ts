// Files dropped on the page, including every file inside dropped folders.

interface FileSystemEntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
}
interface FileEntryLike extends FileSystemEntryLike {
  file: (resolve: (file: File) => void, reject: (error: unknown) => void) => void;
}
interface DirectoryEntryLike extends FileSystemEntryLike {
  createReader: () => {
    readEntries: (
      resolve: (entries: FileSystemEntryLike[]) => void,
      reject: (error: unknown) => void,
    ) => void;
  };
}

async function filesOf(entry: FileSystemEntryLike): Promise<File[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileEntryLike).file(resolve, reject),
    );
    return [file];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as DirectoryEntryLike).createReader();
  const files: File[] = [];
  // readEntries answers in slices: call it until it answers with none.
  for (;;) {
    const batch = await new Promise<FileSystemEntryLike[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return files;
    for (const child of batch) files.push(...(await filesOf(child)));
  }
}

export async function filesFromDrop(transfer: DataTransfer): Promise<File[]> {
  const entries = Array.from(transfer.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() as FileSystemEntryLike | null);
  if (entries.length === 0 || entries.some((entry) => !entry)) return Array.from(transfer.files);
  const nested = await Promise.all(entries.map((entry) => filesOf(entry!)));
  return nested.flat();
}

/** Files that are never documents: hidden files and OS litter inside folders. */
export function isWorthUploading(file: File): boolean {
  return !file.name.startsWith('.') && file.name !== 'Thumbs.db' && file.name !== 'desktop.ini';
}
