import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';
import { createMailChannel, mailChannelKind } from 'src/notifications/mail-channel.factory';
import { MAIL_CHANNEL, type MailChannel } from 'src/notifications/mail-channel.types';
import { OutboxDispatcherService } from 'src/notifications/outbox-dispatcher.service';
import { OutboxRepository } from 'src/notifications/outbox.repository';
import { OutboxService } from 'src/notifications/outbox.service';
import { TickerService } from 'src/database/ticker';

export const NOTIFICATIONS_OPTIONS = Symbol('NOTIFICATIONS_OPTIONS');
export interface NotificationsOptions {
  /** Run the outbox dispatcher in this process (worker and all roles). */
  dispatcher: boolean;
}

/** Starts the outbox dispatcher on its interval when this process runs workers. */
class OutboxDispatcherScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: NotificationsOptions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TickerService) private readonly schedule: TickerService,
    @Inject(OutboxDispatcherService) private readonly dispatcher: OutboxDispatcherService,
    @Inject(MAIL_CHANNEL) private readonly channel: MailChannel,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.dispatcher || this.channel.kind === 'none') return;
    this.schedule.addInterval('notifications.outbox', this.config.health.OUTBOX_POLL_MS, () =>
      this.dispatcher.dispatchDue(),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.schedule.remove('notifications.outbox');
    await this.channel.close();
  }
}

/** Mail for every feature: OutboxService.enqueue() inside a transaction, delivered by the dispatcher. */
@Module({})
export class NotificationsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const options: NotificationsOptions = { dispatcher: config.app.SIS_CERTIFY_ROLE !== 'api' };
    return {
      module: NotificationsModule,
      global: true,
      providers: [
        { provide: NOTIFICATIONS_OPTIONS, useValue: options },
        {
          provide: MAIL_CHANNEL,
          useFactory: (c: AppConfig) => createMailChannel(mailChannelKind(c), c),
          inject: [APP_CONFIG],
        },
        OutboxRepository,
        OutboxService,
        OutboxDispatcherService,
        OutboxDispatcherScheduler,
      ],
      exports: [OutboxService, OutboxDispatcherService, OutboxRepository, MAIL_CHANNEL],
    };
  }
}
