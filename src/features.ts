import type { DynamicModule } from '@nestjs/common';
import type { AppConfig } from 'src/config/config.service';

/** Feature modules beyond the foundation, by process role (api | worker | all). */
export function featureModules(_config: AppConfig): NonNullable<DynamicModule['imports']> {
  return [];
}
