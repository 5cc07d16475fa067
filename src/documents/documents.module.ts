import { Module } from '@nestjs/common';
import { DocumentEventsPublisher } from './document-events.publisher';
import { DocumentEventsService } from './document-events.service';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { AttachmentsRepository } from './attachments.repository';
import { DocumentsService } from './documents.service';
import { UploadBodyParsingBypass } from './upload/upload-body-bypass';
import { ChunkVectorIndex } from '../knowledge/chunk-vector.index';

@Module({
  controllers: [DocumentsController],
  providers: [
    UploadBodyParsingBypass,
    DocumentsRepository,
    AttachmentsRepository,
    DocumentsService,
    DocumentEventsPublisher,
    DocumentEventsService,
    ChunkVectorIndex,
  ],
  exports: [DocumentsRepository, DocumentsService],
})
export class DocumentsModule {}
