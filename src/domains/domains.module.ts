import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { DomainGraphRepository } from './domain-graph.repository';
import { DomainsController } from './domains.controller';
import { DomainsRepository } from './domains.repository';
import { DomainsService } from './domains.service';

/** Knowledge domains (POST/GET/DELETE /domains…). Needs StoresModule and TemporalModule. */
@Module({
  imports: [DocumentsModule],
  controllers: [DomainsController],
  providers: [DomainsRepository, DomainGraphRepository, DomainsService],
  exports: [DomainsService, DomainsRepository],
})
export class DomainsModule {}
