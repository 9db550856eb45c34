import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApi } from 'src/bootstrap';
import { createTestApp, type TestApp } from 'test/helpers/app';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}

/**
 * The API's own document holds every operation to the same standard: a summary, and a response schema for
 * its success answer (a 204 has no body; a text/csv stream is described as such). New endpoints are covered
 * automatically; a failure names the operation.
 */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await createTestApp();
    doc = buildOpenApi(t.app);
  });

  afterAll(() => t.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.flatMap((m) => {
        const op = item[m];
        return op ? [{ name: `${m.toUpperCase()} ${path}`, op }] : [];
      }),
    );

  it('gives every operation a summary', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(50);
    const missing = ops.filter(({ op }) => !op.summary?.trim()).map((o) => `${o.name}: no summary`);
    expect(missing).toEqual([]);
  });

  it('describes the success response of every operation with a schema (204 and CSV streams excepted)', () => {
    const problems: string[] = [];
    for (const { name, op } of operations()) {
      const success = Object.entries(op.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
      if (success.length === 0) {
        problems.push(`${name}: no 2xx response`);
        continue;
      }
      for (const [code, raw] of success) {
        const res = raw as ResponseObject;
        if (code === '204') continue;
        const content = res.content ?? {};
        if (Object.keys(content).some((type) => type.startsWith('text/csv'))) continue;
        const schema = content['application/json']?.schema;
        if (!schema) problems.push(`${name}: ${code} response has no application/json schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes the bearer scheme as an opaque API token, not a JWT', () => {
    const bearer = doc.components?.securitySchemes?.bearer as
      { scheme?: string; bearerFormat?: string; description?: string } | undefined;
    expect(bearer).toMatchObject({ scheme: 'bearer' });
    expect(bearer?.bearerFormat).not.toMatch(/jwt/i);
    expect(bearer?.description).toMatch(/opaque API token/);
    expect(bearer?.description).toMatch(/not a JWT/);
  });
});
