import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from 'src/app.module';
import { trustProxySetting } from 'src/config/trust-proxy.util';
import { AllExceptionsFilter } from 'src/common/all-exceptions.filter';
import { assignRequestId, requireJsonBody, verifyJsonDepth } from 'src/common/http-input.middleware';
import { rejectPrototypeKeys } from 'src/common/json-body.util';
import { packageVersion } from 'src/common/paths.util';
import { createValidationPipe } from 'src/common/validation.pipe';

export function buildOpenApi(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('sis-certify')
    .setDescription(
      'Certifies the data quality of district SIS data, before, during and after an SIS migration.',
    )
    .setVersion(packageVersion())
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque API token (sisc_…)',
      description:
        'An opaque API token (`sisc_…`), not a JWT: issued by POST /api/auth/tokens (shown once), stored only as a hash, ' +
        'revocable; send it as `Authorization: Bearer sisc_…`. Bearer requests need no CSRF header.',
    })
    .addCookieAuth('sisc_session')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Builds the HTTP application with every global convention; used by main.ts and by tests. */
export async function createApp(options: AppModuleOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.use(assignRequestId);
  app.use(requireJsonBody);
  app.useBodyParser('json', {
    limit: '1mb',
    reviver: rejectPrototypeKeys,
    verify: verifyJsonDepth,
    type: ['application/json', 'application/*+json'],
  });
  app.useLogger(app.get(Logger));
  // The client address (login rate limit, logs) is the socket's peer unless TRUST_PROXY names the proxies whose
  // X-Forwarded-For is believed; by default nobody's is, so a client cannot choose its own address.
  app.set('trust proxy', trustProxySetting(options.config.http.TRUST_PROXY));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          // helmet's default upgrade-insecure-requests breaks every asset of a plain-HTTP deployment reached
          // by a host name; ask for it only when the service is published over HTTPS.
          upgradeInsecureRequests: options.config.http.PUBLIC_URL.startsWith('https:') ? [] : null,
        },
      },
    }),
  );
  app.use(cookieParser());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  SwaggerModule.setup('api/docs', app, buildOpenApi(app), { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
