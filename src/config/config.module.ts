import { Global, Inject, Module } from '@nestjs/common';
import { CairnConfig, loadConfig } from './config';

/** Injection token for the validated configuration. */
export const CONFIG = Symbol('CAIRN_CONFIG');

/** Shorthand for `@Inject(CONFIG)` on a `CairnConfig` constructor parameter. */
export const InjectConfig = (): ParameterDecorator => Inject(CONFIG);

@Global()
@Module({
  providers: [{ provide: CONFIG, useFactory: (): CairnConfig => loadConfig() }],
  exports: [CONFIG],
})
export class ConfigModule {}
