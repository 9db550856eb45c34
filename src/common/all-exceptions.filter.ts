import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainException } from 'src/common/domain.exception';
import { loggableError } from 'src/common/loggable-error.util';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: string[];
  correlationId: string;
}

/** A client error raised by Express middleware (body-parser: 413 too large, 400 bad charset …). */
function isMiddlewareClientError(e: unknown): e is Error & { status: number } {
  if (!(e instanceof Error)) return false;
  const { status, expose } = e as Error & { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

/** The one place errors become HTTP responses: logged once, internals hidden behind a correlation id. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const correlationId = String(req.id ?? req.headers['x-request-id'] ?? 'none');
    const body = this.toBody(exception, correlationId);
    if (body.statusCode >= 500) {
      this.logger.error({ err: loggableError(exception), correlationId, path: req.path }, 'request failed');
    } else {
      this.logger.warn(
        { correlationId, path: req.path, status: body.statusCode, message: body.message },
        'request rejected',
      );
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(e: unknown, correlationId: string): ErrorBody {
    const domainStatus = e instanceof DomainException ? e.httpStatus() : undefined;
    if (e instanceof DomainException && domainStatus !== undefined) {
      return {
        statusCode: domainStatus,
        error: e.code,
        message: e.message,
        details: e.details,
        correlationId,
      };
    }
    if (e instanceof ThrottlerException) {
      return {
        statusCode: 429,
        error: 'TOO_MANY_REQUESTS',
        message: 'too many attempts; wait a minute and try again',
        correlationId,
      };
    }
    if (e instanceof HttpException) {
      const statusCode = e.getStatus();
      const response = e.getResponse();
      const raw =
        typeof response === 'object' && response !== null
          ? (response as { message?: unknown }).message
          : response;
      const messages = Array.isArray(raw) ? raw.map(String) : [String(raw ?? e.message)];
      return {
        statusCode,
        error: HttpStatus[statusCode] ?? 'ERROR',
        message: messages.join('; '),
        details: messages.length > 1 ? messages : undefined,
        correlationId,
      };
    }
    if (isMiddlewareClientError(e)) {
      const statusCode = e.status;
      return { statusCode, error: HttpStatus[statusCode] ?? 'ERROR', message: e.message, correlationId };
    }
    if (e instanceof QueryFailedError) {
      const code = (e.driverError as { code?: string } | undefined)?.code;
      if (code === '23505')
        return {
          statusCode: 409,
          error: 'CONFLICT',
          message: 'a record with these values already exists',
          correlationId,
        };
      if (code === '22P02' || code === '22007' || code === '22008' || code === '22021') {
        return { statusCode: 400, error: 'INVALID', message: 'a value has the wrong format', correlationId };
      }
    }
    return {
      statusCode: 500,
      error: 'INTERNAL',
      message: `internal error; quote correlation id ${correlationId} to support`,
      correlationId,
    };
  }
}
