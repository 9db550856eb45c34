import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { buildOpenApi } from 'src/bootstrap';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  params: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Endpoints anyone may call. Everything else must answer 401 without credentials. */
export const PUBLIC_OPERATIONS = new Set(['get /health', 'post /api/auth/login', 'post /api/agent/connect']);

/** Every operation the application exposes, read from its OpenAPI document (new endpoints are covered automatically). */
export function operations(app: NestExpressApplication): Operation[] {
  const doc = buildOpenApi(app);
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({
      method,
      path,
      params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
    })),
  );
}

/** Fills path parameters: the given values by name, random UUIDs for the rest. */
export function fill(op: Operation, values: Record<string, string>): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? randomUUID());
}
