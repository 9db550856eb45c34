import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { AgentsRepository } from 'src/agent-gateway/agents.repository';
import { AlertPolicyService } from 'src/connectivity/alert-policy.service';
import { IncidentsRepository } from 'src/connectivity/incidents.repository';
import { LinkHealthRepository } from 'src/connectivity/link-health.repository';
import { LinkHealthService } from 'src/connectivity/link-health.service';
import { LinkProberRepository } from 'src/connectivity/link-prober.repository';
import { MaintenanceController } from 'src/connectivity/maintenance.controller';
import { MaintenanceRepository } from 'src/connectivity/maintenance.repository';
import { MaintenanceService } from 'src/connectivity/maintenance.service';
import { ProbeSchedulerService } from 'src/connectivity/probe-scheduler.service';
import { StatusController } from 'src/connectivity/status.controller';
import { StatusRepository } from 'src/connectivity/status.repository';
import { StatusService } from 'src/connectivity/status.service';
import { DistrictsModule } from 'src/districts/districts.module';
import { NotificationsModule } from 'src/notifications/notifications.module';
import { TickerService } from 'src/database/ticker';

export const CONNECTIVITY_OPTIONS = Symbol('CONNECTIVITY_OPTIONS');
export interface ConnectivityOptions {
  /** Run probes, heartbeat checks and alert evaluation in this process (worker and all roles). */
  workers: boolean;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const JOBS = ['connectivity.probes', 'connectivity.alerts', 'connectivity.prune'];

/** Registers the link-health tickers (TickerService: named, never overlapping). */
class ConnectivityScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(CONNECTIVITY_OPTIONS) private readonly options: ConnectivityOptions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TickerService) private readonly schedule: TickerService,
    @Inject(ProbeSchedulerService) private readonly probes: ProbeSchedulerService,
    @Inject(LinkHealthService) private readonly health: LinkHealthService,
    @Inject(AlertPolicyService) private readonly alerts: AlertPolicyService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.workers) return;
    const h = this.config.health;
    this.schedule.addInterval('connectivity.probes', h.PROBE_TICK_MS, () => this.probes.probeDue());
    this.schedule.addInterval('connectivity.alerts', h.ALERT_TICK_MS, async () => {
      await this.health.checkAgentHeartbeats();
      await this.alerts.evaluateAll();
    });
    this.schedule.addInterval('connectivity.prune', PRUNE_EVERY_MS, () => this.probes.prune());
  }

  onModuleDestroy(): void {
    for (const job of JOBS) this.schedule.remove(job);
  }
}

/** Probes, agent liveness, link state machine, incidents, alert policy, maintenance windows, status board. */
@Module({})
export class ConnectivityModule {
  static forRoot(config: AppConfig): DynamicModule {
    const options: ConnectivityOptions = { workers: config.app.SIS_CERTIFY_ROLE !== 'api' };
    return {
      module: ConnectivityModule,
      imports: [NotificationsModule.forRoot(config), DistrictsModule],
      controllers: [StatusController, MaintenanceController],
      providers: [
        { provide: CONNECTIVITY_OPTIONS, useValue: options },
        AgentsRepository,
        AlertPolicyService,
        IncidentsRepository,
        LinkHealthRepository,
        LinkHealthService,
        LinkProberRepository,
        MaintenanceRepository,
        MaintenanceService,
        ProbeSchedulerService,
        StatusRepository,
        StatusService,
        ConnectivityScheduler,
      ],
      exports: [
        AgentsRepository,
        LinkHealthService,
        ProbeSchedulerService,
        AlertPolicyService,
        IncidentsRepository,
      ],
    };
  }
}
