import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpStatus, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Deeper JSON than this is refused before it is parsed (no request DTO nests more than a few levels). */
export const MAX_JSON_DEPTH = 64;

/** The correlation id a client may pass in `X-Request-Id`, else a fresh one. */
export function requestIdOf(req: IncomingMessage & { id?: unknown }): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
}

/**
 * First middleware: every request has its correlation id before anything can fail, so errors from body parsing
 * quote the same id as the request log line.
 */
export function assignRequestId(req: Request & { id?: unknown }, _res: Response, next: NextFunction): void {
  req.id = requestIdOf(req);
  next();
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isJson(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return media === 'application/json' || /^application\/[\w.+-]+\+json$/.test(media);
}

/**
 * The one route that takes a multipart body: Ed-Fi XML interchange uploads (POST, streamed to disk by multer).
 * A cross-site form could send multipart too, but a cookie-authenticated POST needs the CSRF header.
 */
const MULTIPART_ROUTE = /^\/api\/districts\/[^/]+\/links\/[^/]+\/edfi-files\/?$/;

function isMultipartUpload(req: Request): boolean {
  const media = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return media === 'multipart/form-data' && req.method === 'POST' && MULTIPART_ROUTE.test(req.path);
}

/** The API takes JSON bodies only (but for the upload route): a form or text body (what a cross-site form can send) is 415. */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (hasBody(req) && !isJson(req.headers['content-type']) && !isMultipartUpload(req)) {
    next(new UnsupportedMediaTypeException('request bodies must be application/json'));
    return;
  }
  next();
}

/** An error body-parser understands as a client error with this status. */
function clientError(status: number, message: string): Error & { status: number; expose: boolean } {
  return Object.assign(new Error(message), { status, expose: true });
}

/** body-parser `verify`: refuses JSON nested deeper than {@link MAX_JSON_DEPTH} without parsing it. */
export function verifyJsonDepth(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > MAX_JSON_DEPTH)
        throw clientError(
          HttpStatus.BAD_REQUEST,
          `request body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
        );
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}
