/**
 * Validate, call, validate: the single path from any transport into a handler.
 * Bad input never reaches a handler; a handler's malformed answer is an
 * internal error rather than something the renderer has to guess about.
 */
import { channels, isChannel, type RpcResult } from '../../../shared/contract';
import { DrydockError, toErrorPayload } from '../../../shared/errors';
import { describeIssues } from '../../../shared/validate';
import type { CallContext, Handlers } from './types';

export async function dispatch(handlers: Handlers, channel: string, payload: unknown, ctx: CallContext): Promise<RpcResult<unknown>> {
  try {
    if (!isChannel(channel)) throw new DrydockError('NOT_FOUND', `No such channel: ${channel}`);
    const spec = channels[channel];
    const parsed = spec.request.safeParse(payload ?? {});
    if (!parsed.success) {
      throw new DrydockError('INVALID_INPUT', describeIssues(parsed.error), {
        fields: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      });
    }
    const handler = handlers[channel] as (req: unknown, ctx: CallContext) => Promise<unknown>;
    const value = await handler(parsed.data, ctx);
    const checked = spec.response.safeParse(value);
    if (!checked.success) throw new DrydockError('INTERNAL', `Malformed response on ${channel}: ${describeIssues(checked.error)}`);
    return { ok: true, value: checked.data };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}
