import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Public } from 'src/auth/auth.decorators';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and database health (public); 503 names the checks that are down' })
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 3000 })]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      // Which checks are down, never why (driver errors may carry hosts and names).
      const result = err.getResponse() as Partial<HealthCheckResult>;
      const down = Object.keys(result.error ?? {});
      throw new ServiceUnavailableException(
        `unhealthy: ${down.length > 0 ? down.join(', ') : 'a check'} down`,
      );
    }
  }
}
