import { useCallback, useEffect, useRef, useState } from 'react';
import { followDocumentEvents } from '../api/endpoints';
import { messageOf, RateLimitedError } from '../api/errors';
import type { DocumentAccepted } from '../api/types';
import { uploadFile } from '../api/upload';

export type UploadPhase = 'queued' | 'uploading' | 'waiting' | 'processing' | 'indexed' | 'failed';

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  phase: UploadPhase;
  loaded: number;
  /** The pipeline stage while processing. */
  stage: string | null;
  documentId?: string;
  error?: unknown;
  /** While waiting after a 429: when the next try starts (epoch ms). */
  retryAt?: number;
}

const PARALLEL_UPLOADS = 3;
/** Event streams open at once: the API allows a person 20 (CAIRN_MAX_EVENT_STREAMS_PER_USER). */
const PARALLEL_FOLLOWS = 8;
const MAX_RATE_LIMIT_WAITS = 10;

let keys = 0;

/**
 * Uploads files a few at a time; a 429 waits the Retry-After the API asks for and tries again.
 * Each accepted file is then followed on its event stream until it is indexed or failed.
 */
export function useUploadQueue(onSettled: () => void) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const files = useRef(new Map<string, File>());
  const running = useRef(0);
  const controller = useRef(new AbortController());
  const settled = useRef(onSettled);
  settled.current = onSettled;

  useEffect(() => {
    const current = controller.current;
    return () => current.abort();
  }, []);

  const update = useCallback((key: string, change: Partial<UploadItem>) => {
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...change } : item)));
  }, []);

  // Streams wait for a free slot, so that a folder of many files stays within the API's cap.
  const following = useRef(0);
  const waitingToFollow = useRef<(() => void)[]>([]);
  const followSlot = useCallback(async (): Promise<() => void> => {
    if (following.current >= PARALLEL_FOLLOWS) {
      await new Promise<void>((resolve) => waitingToFollow.current.push(resolve));
    }
    following.current++;
    return () => {
      following.current--;
      waitingToFollow.current.shift()?.();
    };
  }, []);

  const follow = useCallback(
    async (key: string, documentId: string) => {
      const release = await followSlot();
      try {
        const last = await followDocumentEvents(
          documentId,
          (event) => {
            if (event.status === 'pending' || event.status === 'processing') {
              update(key, { phase: 'processing', stage: event.stage ?? event.status });
            }
          },
          controller.current.signal,
        );
        if (last.status === 'indexed') update(key, { phase: 'indexed', stage: 'done' });
        else {
          update(key, {
            phase: 'failed',
            stage: last.stage,
            error: new Error(last.error ?? `the document was ${last.status}`),
          });
        }
      } catch (failure) {
        if (!controller.current.signal.aborted) update(key, { phase: 'failed', error: failure });
      } finally {
        release();
      }
      settled.current();
    },
    [update, followSlot],
  );

  const send = useCallback(
    async (key: string) => {
      const file = files.current.get(key);
      if (!file) return;
      for (let waits = 0; ; waits++) {
        update(key, { phase: 'uploading', loaded: 0, retryAt: undefined });
        try {
          const accepted = await uploadFile<DocumentAccepted>(
            '/documents',
            file,
            (progress) => update(key, { loaded: progress.loaded }),
            controller.current.signal,
          );
          files.current.delete(key);
          update(key, {
            phase: 'processing',
            loaded: file.size,
            documentId: accepted.id,
            stage: accepted.status,
          });
          void follow(key, accepted.id);
          return;
        } catch (failure) {
          if (failure instanceof RateLimitedError && waits < MAX_RATE_LIMIT_WAITS) {
            const seconds = failure.retryAfterSeconds ?? 2 ** waits;
            update(key, { phase: 'waiting', retryAt: Date.now() + seconds * 1000 });
            await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
            if (controller.current.signal.aborted) return;
            continue;
          }
          files.current.delete(key);
          update(key, {
            phase: 'failed',
            error: failure instanceof Error ? failure : new Error(messageOf(failure)),
          });
          return;
        }
      }
    },
    [follow, update],
  );

  const queue = useRef<string[]>([]);
  const pump = useRef(() => {});
  pump.current = () => {
    while (running.current < PARALLEL_UPLOADS && queue.current.length > 0) {
      const key = queue.current.shift()!;
      running.current++;
      void send(key).finally(() => {
        running.current--;
        pump.current();
      });
    }
  };

  const add = useCallback((added: File[]) => {
    const fresh: UploadItem[] = added.map((file) => {
      const key = `upload-${++keys}`;
      files.current.set(key, file);
      return {
        key,
        name: file.webkitRelativePath || file.name,
        size: file.size,
        phase: 'queued',
        loaded: 0,
        stage: null,
      };
    });
    setItems((list) => [...fresh, ...list]);
    queue.current.push(...fresh.map((item) => item.key));
    pump.current();
  }, []);

  const clearFinished = useCallback(() => {
    setItems((list) => list.filter((item) => item.phase !== 'indexed' && item.phase !== 'failed'));
  }, []);

  return { items, add, clearFinished };
}
