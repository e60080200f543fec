import { APIError, type VolleyErrorCode } from '../errors.js';
import { chatBody, readCompletion } from '../providers/openai/body.js';
import type { Provider, ProviderRequest, ProviderResponse, SendContext } from '../providers/types.js';

export type Script = (
  request: ProviderRequest,
  context: SendContext,
  call: number,
) => Promise<ProviderResponse>;

/**
 * A provider whose every attempt is answered by `script`; it records what was sent. Its bodies are
 * chat completions, read as the OpenAI provider reads them.
 */
export function fakeProvider(
  script: Script,
): Provider & { sent: ProviderRequest[]; inFlight: number; maxInFlight: number } {
  const provider = {
    id: 'fake',
    kind: 'fake',
    name: 'fake',
    baseURL: 'fake',
    keyFingerprint: undefined,
    endpoint: '/v1/chat/completions',
    defaultModel: 'fake-model',
    requestBody: chatBody,
    readBody: (body: unknown, model = '') => readCompletion(body, model, 'fake', []),
    sent: [] as ProviderRequest[],
    inFlight: 0,
    maxInFlight: 0,
    async send(request: ProviderRequest, context: SendContext): Promise<ProviderResponse> {
      provider.sent.push(request);
      provider.inFlight++;
      provider.maxInFlight = Math.max(provider.maxInFlight, provider.inFlight);
      try {
        return await script(request, context, provider.sent.length);
      } finally {
        provider.inFlight--;
      }
    },
  };
  return provider;
}

export function answer(text: string, headers: Record<string, string> = {}): ProviderResponse {
  return {
    text,
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    finishReason: 'stop',
    model: 'fake-model',
    requestID: 'req_1',
    headers: new Headers(headers),
    raw: {},
  };
}

export function apiError(
  code: VolleyErrorCode,
  status: number,
  headers: Record<string, string> = {},
): APIError {
  return new APIError(code, `fake ${status}`, {
    status,
    headers: new Headers(headers),
    requestID: 'req_err',
  });
}

/** Never resolves; rejects when the signal aborts, like a hung request. */
export function abortable(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
}
