import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from 'src/bootstrap';
import { ConfigException, loadConfig } from 'src/config/config.service';
import { resolveDatabase } from 'src/database/database-bootstrap';
import { featureModules } from 'src/features';
import { seedDemoIfWanted } from 'src/demo/demo-seed';
import { StartRunUseCase } from 'src/runs/start-run.use-case';
import { errorText } from 'src/common/error-text.util';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = new Logger('Main');
  const db = await resolveDatabase(config);
  const demo = await seedDemoIfWanted(config, db);
  const app = await createApp({
    config,
    databaseUrl: db.url,
    secretsKey: db.secretsKey,
    features: featureModules(config),
  });
  await app.listen(config.http.PORT, config.http.HOST);
  if (demo?.created) {
    // First start of the demo: certify both SIS at once so scorecards and the comparison are there to see.
    await app.get(StartRunUseCase).execute({ districtId: demo.districtId, kind: 'manual', trigger: 'cli' });
    logger.log('demo: the first validation run (Aeries and PowerSchool side by side) is queued');
  }
  logger.log(
    `sis-certify listening on ${await app.getUrl()} (API docs at /api/docs, role ${config.app.SIS_CERTIFY_ROLE})`,
  );
  const shutdown = async (): Promise<void> => {
    await app.close();
    await demo?.stop();
    await db.embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err: unknown) => {
  if (err instanceof ConfigException) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`sis-certify failed to start: ${errorText(err, { stack: true })}\n`);
  }
  process.exit(1);
});
