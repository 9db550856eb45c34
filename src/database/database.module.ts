import { Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DataSourceSqlRunner, SqlRunner } from 'src/database/sql-runner';
import { TickerService } from 'src/database/ticker';

/** The database room for every feature: the one SqlRunner (over TypeORM's DataSource) and the tickers. */
@Global()
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [{ provide: SqlRunner, useClass: DataSourceSqlRunner }, TickerService],
  exports: [SqlRunner, TickerService],
})
export class DatabaseModule {}
