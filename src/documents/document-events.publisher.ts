import { Injectable } from '@nestjs/common';
import { RedisStore } from '../stores/redis/redis.store';
import {
  documentEventOf,
  documentEventsChannel,
  type DocumentEvent,
  type DocumentRecord,
} from './document.types';

/** Publishes status changes on Redis pub/sub; the API relays them to clients as SSE. */
@Injectable()
export class DocumentEventsPublisher {
  constructor(private readonly redis: RedisStore) {}

  async publish(event: DocumentEvent): Promise<void> {
    await this.redis.client.publish(
      documentEventsChannel(event.workspaceId, event.documentId),
      JSON.stringify(event),
    );
  }

  async publishRecords(records: DocumentRecord[]): Promise<void> {
    const pipeline = this.redis.client.pipeline();
    for (const record of records) {
      pipeline.publish(
        documentEventsChannel(record.workspaceId, record.id),
        JSON.stringify(documentEventOf(record)),
      );
    }
    await pipeline.exec();
  }
}
