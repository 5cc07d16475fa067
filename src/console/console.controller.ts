import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../auth/principal';
import { type CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';

export class ConsoleConfigDto {
  @ApiPropertyOptional({ description: 'Supabase Auth URL (CAIRN_SUPABASE_URL), when configured' })
  supabaseUrl?: string;
  @ApiPropertyOptional({ description: "Supabase's public anon key, when configured" })
  supabaseAnonKey?: string;
  @ApiProperty({ description: 'The Temporal Web UI' }) temporalUiUrl!: string;
  @ApiProperty({ description: 'The Temporal namespace Cairn runs its workflows in' })
  temporalNamespace!: string;
  @ApiPropertyOptional({ description: 'Prometheus (CAIRN_PROMETHEUS_URL), when configured' })
  prometheusUrl?: string;
}

/**
 * What the web console needs to know before signing in. Its Content-Security-Policy forbids
 * inline scripts, so the settings come from here rather than from the page.
 */
@ApiTags('console')
@Public()
@Controller('console')
export class ConsoleController {
  constructor(@InjectConfig() private readonly config: CairnConfig) {}

  @Get('config')
  @ApiOperation({ summary: "The web console's settings: Supabase Auth, Temporal UI, Prometheus" })
  @ApiOkResponse({ type: ConsoleConfigDto })
  settings(): ConsoleConfigDto {
    const { config } = this;
    const supabase =
      config.CAIRN_SUPABASE_URL && config.CAIRN_SUPABASE_ANON_KEY
        ? {
            supabaseUrl: config.CAIRN_SUPABASE_URL,
            supabaseAnonKey: config.CAIRN_SUPABASE_ANON_KEY,
          }
        : {};
    return {
      ...supabase,
      temporalUiUrl: config.TEMPORAL_UI_URL,
      temporalNamespace: config.TEMPORAL_NAMESPACE,
      ...(config.CAIRN_PROMETHEUS_URL ? { prometheusUrl: config.CAIRN_PROMETHEUS_URL } : {}),
    };
  }
}
