/**
 * Development aid (not a test): the UI world of the browser specs, kept running.
 *   node -r @swc-node/register test/ui/dev-server.ts [port] [runs]
 * Prints the URL and the logins; Ctrl-C drops the databases.
 */
import globalSetup from 'test/helpers/global-setup';
import globalTeardown from 'test/helpers/global-teardown';
import { TEST_PASSWORD } from 'test/helpers/app';
import { createUiWorld } from 'test/ui/ui-world';
import { errorText } from 'src/common/error-text.util';

async function main(): Promise<void> {
  await globalSetup();
  const w = await createUiWorld({ port: Number(process.argv[2] ?? 0), runs: Number(process.argv[3] ?? 3) });
  process.stdout.write(
    [
      `UI at ${w.baseUrl}  (password for all: ${TEST_PASSWORD})`,
      `  admin   ${w.admin.email}  token ${w.admin.token}`,
      `  school  ${w.school.email}  (school ${w.schoolId})  token ${w.school.token}`,
      `  support ${w.support.email}  token ${w.support.token}`,
      `  district ${w.districtId}  run ${w.runId}`,
      '',
    ].join('\n'),
  );
  const stop = async (): Promise<void> => {
    await w.close();
    await globalTeardown();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${errorText(err, { stack: true })}\n`);
  process.exit(1);
});
