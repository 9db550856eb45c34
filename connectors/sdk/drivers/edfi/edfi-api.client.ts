import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorErrorCode, ConnectorException } from 'connectors/sdk/connector.exception';

/** A JSON value as the ODS/API returns it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface EdfiApiOptions {
  linkName: string;
  /** API root (`https://ods.district.org/api`): its discovery document names the OAuth and data URLs. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Page size (`limit`); the ODS/API allows at most 500 by default. */
  pageSize?: number;
  /** Attempts per request on 429, 5xx and network errors, with exponential back-off. */
  maxAttempts?: number;
  /** First back-off delay; doubles per attempt, capped at 30 s; a Retry-After header wins. */
  backoffMs?: number;
  /** Bound on one HTTP request. */
  requestTimeoutMs?: number;
  /**
   * Change Queries window for incremental reads: only records changed after `minChangeVersion`. The upper
   * bound is pinned when the client first reads, so every resource of one extraction is read at one version.
   */
  minChangeVersion?: number;
}

/** The ODS's Change Queries range (`availableChangeVersions`). */
export interface ChangeVersions {
  oldest: number | null;
  newest: number;
}

/** What one read of a resource selects besides the pinned version. */
export interface PageQuery {
  /** Only records changed at or after this version (Change Queries). */
  minChangeVersion?: number;
  /** Get-by-example: records whose fields (or flattened reference keys) equal these values. */
  where?: Record<string, string>;
}

/** Tracked changes of deleted records (`deletes`) or of records whose natural key changed (`keyChanges`). */
export type Tombstones = 'deletes' | 'keyChanges';

interface Endpoints {
  token: string;
  data: string;
  changeQueries: string;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * A small Ed-Fi ODS/API v5–v7 client: OAuth2 client credentials (token refreshed on expiry or a 401), offset/
 * limit paging, Change Queries (`minChangeVersion`/`maxChangeVersion`), retries with back-off on 429/5xx.
 * Errors are ConnectorExceptions naming the link and the resource, never the secret.
 */
export class EdfiApiClient {
  private endpoints: Promise<Endpoints> | null = null;
  private token: { value: string; expires: number } | null = null;
  private changeVersions: Promise<ChangeVersions | null> | null = null;
  private readonly pageSize: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: EdfiApiOptions) {
    this.pageSize = opts.pageSize ?? 500;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 500;
    this.timeoutMs = opts.requestTimeoutMs ?? 60_000;
  }

  /**
   * Every record of a resource (`ed-fi/students`), page by page, at the pinned change version; `q` narrows it
   * to a change window (`minChangeVersion`, else the client's own) or to a natural key (`where`).
   */
  async *pages(resource: string, q: PageQuery = {}): AsyncGenerator<JsonObject[]> {
    const min = q.minChangeVersion ?? this.opts.minChangeVersion;
    yield* this.paged(resource, resource, min, q.where);
  }

  /**
   * The tracked deletes (or key changes) of a resource within the change window `minChangeVersion` .. pinned:
   * `{ id, changeVersion, keyValues }` (key changes: `oldKeyValues`, `newKeyValues`). Nothing where the ODS/API
   * has no such endpoint (key changes before v5.3) or no Change Queries.
   */
  async *tombstones(
    resource: string,
    kind: Tombstones,
    minChangeVersion: number,
  ): AsyncGenerator<JsonObject[]> {
    if ((await this.pinnedChangeVersion()) === null) return;
    yield* this.paged(
      `${resource}/${kind}`,
      `${resource}/${kind}`,
      minChangeVersion,
      undefined,
      kind === 'keyChanges',
    );
  }

  private async *paged(
    path: string,
    what: string,
    min: number | undefined,
    where: Record<string, string> | undefined,
    allowNotFound = false,
  ): AsyncGenerator<JsonObject[]> {
    const { data } = await this.discover();
    const max = await this.pinnedChangeVersion();
    for (let offset = 0; ; offset += this.pageSize) {
      const query = new URLSearchParams({ offset: String(offset), limit: String(this.pageSize) });
      if (max !== null) {
        query.set('maxChangeVersion', String(max));
        if (min !== undefined) query.set('minChangeVersion', String(min));
      }
      for (const [k, v] of Object.entries(where ?? {})) query.set(k, v);
      const res = await this.request(`${data}/${path}?${query.toString()}`, what, { allowNotFound });
      if (!res) {
        if (allowNotFound) return;
        this.fail(ConnectorErrorCode.QUERY_FAILED, `${what}: not found`);
      }
      const body = (await res.json()) as Json;
      if (!Array.isArray(body))
        this.fail(ConnectorErrorCode.QUERY_FAILED, `${what}: the answer is not a list`);
      const page = body.filter(
        (r): r is JsonObject => typeof r === 'object' && r !== null && !Array.isArray(r),
      );
      if (page.length) yield page;
      if (body.length < this.pageSize) return;
    }
  }

  /** A round trip that needs a valid token: the discovery document, a token, one school. */
  async probe(): Promise<void> {
    const { data } = await this.discover();
    await this.getJson(`${data}/ed-fi/schools?limit=1`, 'schools');
  }

  /** Newest change version at the start of the read (null where Change Queries are off). */
  async pinnedChangeVersion(): Promise<number | null> {
    return (await this.availableChangeVersions())?.newest ?? null;
  }

  /**
   * The ODS's change version range, read once (it pins the upper bound of every read of this client); null
   * where the ODS/API has no Change Queries (404).
   */
  availableChangeVersions(): Promise<ChangeVersions | null> {
    this.changeVersions ??= this.readChangeVersions();
    return this.changeVersions;
  }

  private async readChangeVersions(): Promise<ChangeVersions | null> {
    const { changeQueries } = await this.discover();
    const res = await this.request(`${changeQueries}/availableChangeVersions`, 'availableChangeVersions', {
      allowNotFound: true,
    });
    if (!res) return null;
    const body = (await res.json()) as JsonObject;
    const newest = body.newestChangeVersion;
    const oldest = body.oldestChangeVersion;
    if (typeof newest !== 'number') return null;
    return { newest, oldest: typeof oldest === 'number' ? oldest : null };
  }

  private discover(): Promise<Endpoints> {
    this.endpoints ??= (async () => {
      const base = this.opts.baseUrl.replace(/\/+$/, '');
      const fallback: Endpoints = {
        token: `${base}/oauth/token`,
        data: `${base}/data/v3`,
        changeQueries: `${base}/changeQueries/v1`,
      };
      const res = await this.fetchWithRetry(base, 'discovery', {});
      if (!res.ok) return fallback;
      const doc = (await res.json().catch(() => null)) as { urls?: Record<string, string> } | null;
      const urls = doc?.urls ?? {};
      const trim = (u: string | undefined): string | undefined => u?.replace(/\/+$/, '');
      return {
        token: trim(urls.oauth) ?? fallback.token,
        data: trim(urls.dataManagementApi) ?? fallback.data,
        changeQueries: trim(urls.changeQueries) ?? fallback.changeQueries,
      };
    })();
    this.endpoints.catch(() => {
      this.endpoints = null;
    });
    return this.endpoints;
  }

  private async accessToken(force = false): Promise<string> {
    if (!force && this.token && this.token.expires > Date.now()) return this.token.value;
    const { token } = await this.discover();
    const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString('base64');
    const res = await this.fetchWithRetry(token, 'token', {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    if (res.status === 401 || res.status === 403 || res.status === 400)
      this.fail(ConnectorErrorCode.AUTH_FAILED, `the OAuth token request was refused (HTTP ${res.status})`);
    if (!res.ok)
      this.fail(ConnectorErrorCode.QUERY_FAILED, `the OAuth token request failed (HTTP ${res.status})`);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) this.fail(ConnectorErrorCode.AUTH_FAILED, 'the OAuth answer has no access_token');
    // Renew a little before the server's expiry.
    const ttl = Math.max(5, (body.expires_in ?? 1800) - 30) * 1000;
    this.token = { value: body.access_token, expires: Date.now() + ttl };
    return body.access_token;
  }

  private async getJson(url: string, what: string): Promise<Json> {
    const res = await this.request(url, what, {});
    if (!res) this.fail(ConnectorErrorCode.QUERY_FAILED, `${what}: not found`);
    return (await res.json()) as Json;
  }

  /** An authenticated GET: a 401 renews the token once; 404 is null when allowed. */
  private async request(url: string, what: string, o: { allowNotFound?: boolean }): Promise<Response | null> {
    for (let renewed = false; ; renewed = true) {
      const res = await this.fetchWithRetry(url, what, {
        headers: { authorization: `Bearer ${await this.accessToken(renewed)}`, accept: 'application/json' },
      });
      if (res.status === 401 && !renewed) continue;
      if (res.status === 401 || res.status === 403)
        this.fail(ConnectorErrorCode.AUTH_FAILED, `${what}: access refused (HTTP ${res.status})`);
      if (res.status === 404 && o.allowNotFound) return null;
      if (!res.ok) this.fail(ConnectorErrorCode.QUERY_FAILED, `${what}: HTTP ${res.status}`);
      return res;
    }
  }

  /** fetch with a per-request deadline; 429, 5xx and network errors are retried with back-off. */
  private async fetchWithRetry(url: string, what: string, init: RequestInit): Promise<Response> {
    let last = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let res: Response | null = null;
      try {
        res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        last = timedOut
          ? `no answer within ${this.timeoutMs} ms`
          : err instanceof Error
            ? err.message
            : String(err);
        if (attempt === this.maxAttempts)
          this.fail(
            timedOut ? ConnectorErrorCode.TIMEOUT : ConnectorErrorCode.UNREACHABLE,
            `${what}: ${last} (${attempt} attempts)`,
          );
      }
      if (res && !RETRYABLE.has(res.status)) return res;
      if (res) {
        last = `HTTP ${res.status}`;
        await res.body?.cancel().catch(() => undefined);
        if (attempt === this.maxAttempts)
          this.fail(ConnectorErrorCode.UNREACHABLE, `${what}: ${last} after ${attempt} attempts`);
      }
      await sleep(this.delay(attempt, res?.headers.get('retry-after') ?? null));
    }
    this.fail(ConnectorErrorCode.UNREACHABLE, `${what}: ${last}`);
  }

  private delay(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter !== null ? Number(retryAfter) : NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
    return Math.min(this.backoffMs * 2 ** (attempt - 1), 30_000);
  }

  private fail(code: ConnectorErrorCode, detail: string): never {
    throw new ConnectorException(code, this.opts.linkName, `Ed-Fi API ${detail}`);
  }
}
