import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SecretBox } from 'src/common/crypto/secret-box.service';
import { CLOCK, DATABASE_URL, SECRET_BOX, systemClock } from 'src/common/tokens';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';

export interface CoreOptions {
  config: AppConfig;
  databaseUrl: string;
  secretsKey: string;
}

/** Values resolved before Nest starts (validated config, database URL, encryption key), available everywhere. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(o: CoreOptions): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: o.config },
      { provide: DATABASE_URL, useValue: o.databaseUrl },
      { provide: SECRET_BOX, useValue: new SecretBox(o.secretsKey, o.config.security.SECRETS_KEY_PREVIOUS) },
      { provide: CLOCK, useValue: systemClock },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
