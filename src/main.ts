import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from 'src/bootstrap';
import { ConfigException, loadConfig } from 'src/config/config.service';
import { resolveDatabase } from 'src/database/database-bootstrap';
import { DEMO_HISTORY } from 'src/demo/demo-history';
import { seedDemoIfWanted } from 'src/demo/demo-seed';
import { demoLogins, runDemoHistory, runEdfiDemo, startupBlock } from 'src/demo/demo-startup';
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
      logins: demo ? demoLogins(demo.users) : [],
      note,
    });
  if (demo && (demo.created || demo.edfi.created)) {
    // First start of the demo: the Ed-Fi district's one run (small: the Grand Bend sample), then the history
    // of the California district (a few runs, old and new side by side), all with the real pipeline; the logins
    // work at once, the scorecards fill in as the runs finish.
    const parts = [
      ...(demo.edfi.created ? ['one Ed-Fi run of Grand Bend ISD'] : []),
      ...(demo.created
        ? [`${DEMO_HISTORY.length} runs of history, Aeries and PowerSchool side by side`]
        : []),
    ];
    process.stdout.write(
      block(`The demo (${parts.join(', then ')}) is being built; this block is repeated when it is done.`),
    );
    const build = async (): Promise<string> => {
      const notes: string[] = [];
      if (demo.edfi.created) {
        const run = await runEdfiDemo(app, demo.edfi);
        notes.push(
          `Ed-Fi demo run ${run?.status ?? 'not started'}. Scorecard: ${config.http.PUBLIC_URL}/districts/${demo.edfi.districtId}/scorecard`,
        );
      }
      if (demo.created) {
        const r = await runDemoHistory(app, demo);
        notes.push(
          `Demo history ready: ${r.runs.map((x) => `${x.asOf} ${x.status}`).join(', ')}. Scorecard: ${config.http.PUBLIC_URL}/districts/${demo.districtId}/scorecard`,
        );
      }
      return notes.join('\n');
    };
    void build()
      .then((note) => process.stdout.write(block(note)))
      .catch((err: unknown) => logger.error({ err }, 'the demo could not be built'));
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
