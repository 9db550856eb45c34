import { DataSource } from 'typeorm';
import { SecretBox } from 'src/common/crypto/secret-box.service';
import { loadConfig, type AppConfig } from 'src/config/config.service';
import { createDataSource } from 'src/database/data-source';
import { resolveDatabase, type ResolvedDatabase } from 'src/database/database-bootstrap';

/** What CLI commands share: validated config, a migrated database (embedded when DATABASE_URL is unset). */
export class CliContext {
  private db?: ResolvedDatabase;
  private ds?: DataSource;
  readonly config: AppConfig;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.config = loadConfig(env);
  }

  async database(): Promise<ResolvedDatabase> {
    this.db ??= await resolveDatabase(this.config, undefined, { shareRunning: true });
    return this.db;
  }

  async dataSource(): Promise<DataSource> {
    if (!this.ds) {
      const db = await this.database();
      this.ds = createDataSource(db.url, 4);
      await this.ds.initialize();
    }
    return this.ds;
  }

  async secretBox(): Promise<SecretBox> {
    return new SecretBox((await this.database()).secretsKey);
  }

  async close(): Promise<void> {
    if (this.ds?.isInitialized) await this.ds.destroy();
    await this.db?.embedded?.stop();
  }
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
