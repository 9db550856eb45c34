import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from 'src/app.module';
import { AllExceptionsFilter } from 'src/common/all-exceptions.filter';
import { assignRequestId, requireJsonBody, verifyJsonDepth } from 'src/common/http-input.middleware';
import { rejectPrototypeKeys } from 'src/common/json-body.util';
import { createValidationPipe } from 'src/common/validation.pipe';

export function buildOpenApi(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('sis-certify')
    .setDescription(
      'Certifies the data quality of district SIS data, before, during and after an SIS migration.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
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
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
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
