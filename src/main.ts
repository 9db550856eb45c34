import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from 'src/bootstrap';
import { ConfigException, loadConfig } from 'src/config/config.service';
import { resolveDatabase } from 'src/database/database-bootstrap';
import { DEMO_HISTORY } from 'src/demo/demo-history';
import { seedDemoIfWanted } from 'src/demo/demo-seed';
import { demoLogins, runDemoHistory, startupBlock } from 'src/demo/demo-startup';
import { DEMO_DISTRICT_NAME } from 'src/demo/demo.repository';
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
  });
  await app.listen(config.http.PORT, config.http.HOST);
  logger.log(
    `sis-certify listening on ${await app.getUrl()} (API docs at /api/docs, role ${config.app.SIS_CERTIFY_ROLE})`,
  );
  const block = (note?: string): string =>
    startupBlock({
      url: config.http.PUBLIC_URL,
      logins: demo ? demoLogins(demo.users, DEMO_DISTRICT_NAME) : [],
      note,
    });
  if (demo?.created) {
    // First start of the demo: its history is built with the real pipeline (a few runs, old and new side by
    // side); the logins work at once, the scorecard fills in as the runs finish.
    process.stdout.write(
      block(
        `The demo history (${DEMO_HISTORY.length} runs, Aeries and PowerSchool side by side) is being built; this block is repeated when it is done.`,
      ),
    );
    void runDemoHistory(app, demo)
      .then((r) =>
        process.stdout.write(
          block(
            `Demo history ready: ${r.runs.map((x) => `${x.asOf} ${x.status}`).join(', ')}. Scorecard: ${config.http.PUBLIC_URL}/districts/${demo.districtId}/scorecard`,
          ),
        ),
      )
      .catch((err: unknown) => logger.error({ err }, 'the demo history could not be built'));
  } else {
    process.stdout.write(block());
  }
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
