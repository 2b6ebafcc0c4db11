/**
 * One schema per request channel. Every payload arrives as `unknown` (from IPC or a WebSocket) and is parsed
 * here before any handler sees it; unknown fields are refused so a typo never passes silently.
 * Specs inside payloads are checked by common/schema's validators, which name the layer and field at fault.
 */
import type { z } from 'zod';
import { CHANNELS, fail, ok, type Channel, type RequestOf, type Result } from '../../common/contract.js';
import { describeJsonPath, tooDeepAt, tooDeepMessage } from '../../common/json-depth.js';
import { REQUEST_SCHEMAS, specIssuesOf } from '../../common/requests.js';
import type { SpecIssue } from '../../common/schema.js';

/** Every channel has its schema, and no schema lacks a channel (the contract's request types come from them). */
const schemas: { [C in Channel]: z.ZodType<RequestOf<C>, unknown> } = REQUEST_SCHEMAS;

const EMPTY_REQUEST: ReadonlySet<Channel> = new Set(['runs:list', 'dataset:list', 'dataset:cancelImport', 'app:info', 'series:list']);

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** Parses a channel's payload; on failure the result names every field at fault. */
export function parseRequest<C extends Channel>(channel: C, payload: unknown): Result<RequestOf<C>> {
  // Before zod and the spec validators recurse over it, and before an issue echoes a value back to the sender.
  const deep = tooDeepAt(payload);
  if (deep) return fail('INVALID_REQUEST', `${channel}: ${tooDeepMessage('the request', deep)}`, { path: describeJsonPath(deep) });
  // Channels without parameters accept a missing payload as well as `{}`.
  const input = payload === undefined || payload === null ? (EMPTY_REQUEST.has(channel) ? {} : payload) : payload;
  const schema: z.ZodType<RequestOf<C>, unknown> = schemas[channel];
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  // The request's own problems first; an experiment that is only invalid as a spec is SPEC_INVALID.
  const requestIssues = parsed.error.issues.filter((i) => !specIssuesOf(i));
  if (requestIssues.length === 0) {
    const specIssues: SpecIssue[] = parsed.error.issues.flatMap((i) => specIssuesOf(i) ?? []);
    const first = specIssues[0]?.message ?? 'invalid';
    return fail('SPEC_INVALID', `${channel}: the experiment is invalid: ${first}`, { issues: specIssues });
  }
  const issues = requestIssues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const where = issues.map((i) => `${i.path || '(payload)'}: ${i.message}`).join('; ');
  return fail('INVALID_REQUEST', `${channel}: invalid request: ${where}`, { issues });
}
