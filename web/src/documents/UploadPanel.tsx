import { type DragEvent, useRef, useState } from 'react';
import { filesFromDrop, isWorthUploading } from './filesFromDrop';
import { UploadRow } from './UploadRow';
import { useUploadQueue } from './useUploadQueue';

const ACCEPTED =
  '.pdf,.docx,.pptx,.xlsx,.csv,.tsv,.epub,.odt,.odp,.ods,.rtf,.eml,.html,.htm,.md,.markdown,.txt,application/pdf,text/plain,text/markdown,text/html,text/csv,message/rfc822';

/** Drop zone and pickers for files and folders, with each file's progress below. */
export function UploadPanel({ onSettled }: { onSettled: () => void }) {
  const { items, add, clearFinished } = useUploadQueue(onSettled);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void filesFromDrop(event.dataTransfer).then((files) => add(files.filter(isWorthUploading)));
  };

  const finished = items.filter(
    (item) => item.phase === 'indexed' || item.phase === 'failed',
  ).length;

  return (
    <section className="card upload" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload documents</h2>
      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop PDF, DOCX, HTML, Markdown or text files — or a whole folder — here, or</p>
        <div className="actions">
          <button type="button" className="primary" onClick={() => fileInput.current?.click()}>
            Choose files
          </button>
          <button type="button" onClick={() => folderInput.current?.click()}>
            Choose a folder
          </button>
        </div>
        <input
          ref={fileInput}
          className="visually-hidden"
          type="file"
          multiple
          accept={ACCEPTED}
          aria-label="Files to upload"
          tabIndex={-1}
          onChange={(event) => {
            add(Array.from(event.target.files ?? []));
            event.target.value = '';
          }}
        />
        <input
          ref={(element) => {
            folderInput.current = element;
            // Not in React's typings: lets the picker choose a folder and yields its files.
            element?.setAttribute('webkitdirectory', '');
          }}
          className="visually-hidden"
          type="file"
          multiple
          aria-label="Folder to upload"
          tabIndex={-1}
          onChange={(event) => {
            add(Array.from(event.target.files ?? []).filter(isWorthUploading));
            event.target.value = '';
          }}
        />
      </div>
      {items.length > 0 && (
        <>
          <ul className="upload-list" aria-label="Uploads">
            {items.map((item) => (
              <UploadRow key={item.key} item={item} />
            ))}
          </ul>
          {finished > 0 && (
            <button type="button" className="link" onClick={clearFinished}>
              Clear finished uploads
            </button>
          )}
        </>
      )}
    </section>
  );
}
