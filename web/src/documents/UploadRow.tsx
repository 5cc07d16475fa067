import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatBytes } from '../components/format';
import type { UploadItem } from './useUploadQueue';

function phaseText(item: UploadItem, now: number): string {
  switch (item.phase) {
    case 'queued':
      return 'Queued';
    case 'uploading':
      return `Uploading ${item.size ? Math.round((item.loaded / item.size) * 100) : 0}%`;
    case 'waiting':
      return `Too many uploads at once: trying again in ${Math.max(0, Math.ceil(((item.retryAt ?? now) - now) / 1000))} s`;
    case 'processing':
      return item.stage && item.stage !== 'pending'
        ? `Processing: ${item.stage}`
        : 'Waiting to be processed';
    case 'indexed':
      return 'Indexed';
    case 'failed':
      return 'Failed';
  }
}

export function UploadRow({ item }: { item: UploadItem }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (item.phase !== 'waiting') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [item.phase]);

  const uploadedShare = item.size ? item.loaded / item.size : 1;
  return (
    <li className="upload-row" data-phase={item.phase}>
      <div className="upload-row-head">
        <span className="upload-name">
          {item.documentId ? (
            <Link to={`/app/documents/${item.documentId}`}>{item.name}</Link>
          ) : (
            item.name
          )}
        </span>
        <span className="muted small">{formatBytes(item.size)}</span>
      </div>
      <progress
        max={1}
        value={item.phase === 'queued' ? 0 : item.phase === 'uploading' ? uploadedShare : 1}
        aria-label={`Upload of ${item.name}`}
      />
      <p className="upload-status small" aria-live="polite">
        {phaseText(item, now)}
      </p>
      {item.phase === 'failed' && item.error !== undefined && (
        <ErrorNotice error={item.error} title={`${item.name} was not indexed`} />
      )}
    </li>
  );
}
