import type { Client } from '@opensearch-project/opensearch';

/**
 * Bulk loading into OpenSearch with `_id = message_id`, so loading a message twice replaces it and never
 * duplicates it. Requests are cut by size (below the 10 MiB payload limit of small instance types), a few
 * run at once, and every item of every response is read: an item rejected for load (429) or by a server
 * error (5xx) is sent again after a back-off, any other item error is recorded with its id and reason.
 * Nothing is dropped without being counted as failed.
 */

/** Amazon OpenSearch Service refuses HTTP payloads above 10 MiB on its smaller instance types. */
export const SERVICE_PAYLOAD_LIMIT = 10 * 1024 * 1024;

export interface BulkIndexerOptions {
  /** Target index or alias (an alias must have a write index). */
  index: string;
  /** Bytes per bulk request (action and source lines); default 5 MiB, at most just under 10 MiB. */
  maxBytes?: number;
  /** Documents per bulk request; default 5000. */
  maxDocs?: number;
  /** Bulk requests in flight at once; default 2. */
  concurrency?: number;
  /** Attempts per document (and per request) before it is recorded as failed; default 8. */
  maxAttempts?: number;
  /** First back-off, doubled per attempt with jitter up to `maxBackoffMs`; default 250 ms. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How many failures are kept with their reasons (all are counted); default 1000. */
  maxRecordedFailures?: number;
  /** Per-request timeout; default 120 s. */
  requestTimeoutMs?: number;
  onProgress?: (stats: BulkStats) => void;
}

export interface BulkStats {
  /** Documents OpenSearch accepted (created or updated). */
  indexed: number;
  /** Documents recorded as failed (see `failures`). */
  failed: number;
  /** Documents sent again after a 429 or 5xx (an item, or a whole request). */
  retried: number;
  /** Items OpenSearch turned away for load (per-item 429: a full write queue, indexing pressure). */
  rejected: number;
  /** Bulk requests sent, retries included. */
  requests: number;
  /** Bytes of the requests sent, retries included. */
  bytes: number;
}

/** One document OpenSearch would not take. `reason` never quotes the document's values. */
export interface ItemFailure {
  id: string;
  status: number;
  type: string;
  reason: string;
}

export interface BulkResult extends BulkStats {
  failures: ItemFailure[];
  durationMs: number;
}

interface Item {
  id: string;
  /** The action and the source line, each newline-terminated. */
  lines: string;
  bytes: number;
  attempts: number;
}

interface BulkItemResponse {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

const DEFAULTS = {
  maxBytes: 5 * 1024 * 1024,
  maxDocs: 5000,
  concurrency: 2,
  maxAttempts: 8,
  initialBackoffMs: 250,
  maxBackoffMs: 30_000,
  maxRecordedFailures: 1000,
  requestTimeoutMs: 120_000,
};

export class BulkIndexer {
  readonly #client: Client;
  readonly #options: Required<Omit<BulkIndexerOptions, 'onProgress'>> &
    Pick<BulkIndexerOptions, 'onProgress'>;
  readonly #stats: BulkStats = { indexed: 0, failed: 0, retried: 0, rejected: 0, requests: 0, bytes: 0 };
  readonly #failures: ItemFailure[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #started = Date.now();
  #batch: Item[] = [];
  #batchBytes = 0;
  #error: unknown;
  #closed = false;

  constructor(client: Client, options: BulkIndexerOptions) {
    this.#client = client;
    this.#options = { ...DEFAULTS, ...options };
    const { maxBytes, maxDocs, concurrency, maxAttempts } = this.#options;
    if (!(maxBytes > 0 && maxBytes < SERVICE_PAYLOAD_LIMIT))
      throw new Error(
        `maxBytes must be above 0 and below ${SERVICE_PAYLOAD_LIMIT} (10 MiB), got ${maxBytes}`,
      );
    for (const [name, value] of Object.entries({ maxDocs, concurrency, maxAttempts }))
      if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name} must be a positive integer`);
  }

  /**
   * Queues one document (its `_source` as JSON text). Resolves once it is queued; waits while the requests
   * in flight are at the concurrency limit, so a fast reader never outruns the cluster.
   */
  async add(id: string, sourceJson: string): Promise<void> {
    if (this.#closed) throw new Error('BulkIndexer: add after close');
    this.#throwIfFailed();
    const action = JSON.stringify({ index: { _index: this.#options.index, _id: id } });
    const lines = `${action}\n${sourceJson}\n`;
    const bytes = Buffer.byteLength(lines);
    if (bytes >= SERVICE_PAYLOAD_LIMIT) {
      this.#fail(
        { id, lines, bytes, attempts: 0 },
        413,
        'document_too_large',
        `${bytes} bytes in one document`,
      );
      return;
    }
    if (this.#batch.length > 0 && this.#batchBytes + bytes > this.#options.maxBytes) await this.#flush();
    this.#batch.push({ id, lines, bytes, attempts: 0 });
    this.#batchBytes += bytes;
    if (this.#batch.length >= this.#options.maxDocs) await this.#flush();
  }

  /** Sends what is queued, waits for every request, and returns the totals. Rejects if a request failed hard. */
  async close(): Promise<BulkResult> {
    this.#closed = true;
    if (this.#batch.length) await this.#flush();
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
    this.#throwIfFailed();
    return { ...this.#stats, failures: [...this.#failures], durationMs: Date.now() - this.#started };
  }

  get stats(): BulkStats {
    return { ...this.#stats };
  }

  #throwIfFailed(): void {
    if (this.#error) throw this.#error;
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    while (this.#inFlight.size >= this.#options.concurrency) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
    const request: Promise<void> = this.#send(batch)
      .catch((error) => {
        this.#error ??= error;
      })
      .finally(() => this.#inFlight.delete(request));
    this.#inFlight.add(request);
  }

  /** Sends a batch until every item is indexed or recorded as failed. */
  async #send(batch: Item[]): Promise<void> {
    let pending = batch;
    let requestAttempt = 0;
    while (pending.length) {
      requestAttempt++;
      const body = pending.map((item) => item.lines).join('');
      this.#stats.requests++;
      this.#stats.bytes += Buffer.byteLength(body);
      let items: BulkItemResponse[];
      try {
        const response = await this.#client.transport.request(
          { method: 'POST', path: '/_bulk', bulkBody: body },
          { maxRetries: 0, requestTimeout: this.#options.requestTimeoutMs },
        );
        items = ((response.body as { items?: Record<string, BulkItemResponse>[] }).items ?? []).map(
          (entry) => Object.values(entry)[0] as BulkItemResponse,
        );
        if (items.length !== pending.length)
          throw new Error(`bulk response has ${items.length} items for ${pending.length} documents`);
      } catch (error) {
        const status = statusOf(error);
        if (status === 413 && pending.length > 1) {
          // Too large for this cluster after all: halve it.
          const half = Math.ceil(pending.length / 2);
          await this.#send(pending.slice(0, half));
          await this.#send(pending.slice(half));
          return;
        }
        if (!isRetryable(error)) throw describeRequestError(error);
        if (requestAttempt >= this.#options.maxAttempts) {
          for (const item of pending) this.#fail(item, status ?? 0, 'request_failed', describe(error));
          return;
        }
        this.#stats.retried += pending.length;
        await sleep(this.#backoff(requestAttempt));
        continue;
      }

      const retry: Item[] = [];
      for (const [i, result] of items.entries()) {
        const item = pending[i] as Item;
        item.attempts++;
        if (result.status >= 200 && result.status < 300) {
          this.#stats.indexed++;
        } else if (result.status === 429 || result.status >= 500) {
          if (result.status === 429) this.#stats.rejected++;
          if (item.attempts >= this.#options.maxAttempts) this.#fail(item, result.status, ...errorOf(result));
          else retry.push(item);
        } else {
          this.#fail(item, result.status, ...errorOf(result));
        }
      }
      this.#options.onProgress?.(this.stats);
      if (retry.length) {
        this.#stats.retried += retry.length;
        await sleep(this.#backoff(Math.max(...retry.map((r) => r.attempts))));
      }
      pending = retry;
      requestAttempt = 0;
    }
  }

  #fail(item: Item, status: number, type: string, reason: string): void {
    this.#stats.failed++;
    if (this.#failures.length < this.#options.maxRecordedFailures) {
      this.#failures.push({ id: item.id, status, type, reason });
    }
  }

  #backoff(attempt: number): number {
    const { initialBackoffMs, maxBackoffMs } = this.#options;
    const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 1));
    // Full jitter: concurrent writers that were rejected together do not come back together.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { meta?: { statusCode?: number }; statusCode?: number })?.meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** 429, 5xx, timeouts and lost connections are worth another attempt; a 4xx is not. */
function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined && status !== 0) return status === 429 || status >= 500;
  const name = (error as Error)?.name;
  return name === 'ConnectionError' || name === 'TimeoutError' || name === 'NoLivingConnectionsError';
}

function describe(error: unknown): string {
  const e = error as Error & { meta?: { statusCode?: number; body?: { error?: { type?: string } } } };
  const type = e.meta?.body?.error?.type;
  return [e.name, e.meta?.statusCode, type].filter((x) => x !== undefined && x !== '').join(' ');
}

function describeRequestError(error: unknown): Error {
  const e = error as Error & { meta?: { body?: { error?: { reason?: string } } } };
  const reason = e.meta?.body?.error?.reason;
  return new Error(`bulk request refused (${describe(error)})${reason ? `: ${redactReason(reason)}` : ''}`, {
    cause: error,
  });
}

function errorOf(result: BulkItemResponse): [string, string] {
  const type = result.error?.type ?? 'unknown';
  const reasons = [result.error?.reason, result.error?.caused_by?.reason].filter(Boolean) as string[];
  return [type, redactReason(reasons.join(': ') || type)];
}

/**
 * Error reasons can quote a document's values ("Preview of field's value: '...'", "failed to parse ... [x]");
 * message bodies must not reach reports or logs, so quoted values are cut out and the text is bounded.
 */
export function redactReason(reason: string): string {
  return reason
    .replace(/Preview of field's value: [\s\S]*$/i, "Preview of field's value: (redacted)")
    .replace(/'[^']{0,4096}'/g, "'…'")
    .replace(/\bvalue \[[^\]]{0,4096}\]/gi, 'value […]')
    .slice(0, 500);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
