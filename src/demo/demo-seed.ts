import { Logger } from '@nestjs/common';
import type { AppConfig } from 'src/config/config.service';
import type { ResolvedDatabase } from 'src/database/database-bootstrap';

/** Seeds the demo district on a fresh embedded database (filled in by the demo capability). */
export async function seedDemoIfWanted(config: AppConfig, db: ResolvedDatabase): Promise<void> {
  const wanted = config.demo.SEED_DEMO === 'true' || (config.demo.SEED_DEMO === 'auto' && db.embedded !== null);
  if (!wanted) return;
  new Logger('Demo').log('demo seeding is not available yet');
}
