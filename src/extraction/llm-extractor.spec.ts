import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LlmExtractionError, OpenAiCompatibleExtractor } from './llm-extractor';
import type { ChunkForExtraction } from './types';

/** A tiny stand-in for an OpenAI-compatible server: answers each request with the next content. */
function startServer(
  contents: string[],
): Promise<{ server: Server; url: string; requests: unknown[] }> {
  const requests: unknown[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (part: Buffer) => (body += part.toString()));
    request.on('end', () => {
      requests.push({
        url: request.url,
        authorization: request.headers.authorization,
        body: JSON.parse(body),
      });
      const content = contents.shift() ?? '';
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
      }),
    ),
  );
}

const chunk: ChunkForExtraction = {
  id: 'c1',
  title: 'Olavum Theeravum',
  text: 'Olavum Theeravum is a 1970 film directed by P. N. Menon. Menon was born in Kerala.',
};

describe('OpenAiCompatibleExtractor', () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  it('sends a JSON-output chat request and maps the answer to entities with offsets and relations', async () => {
    const answer = {
      entities: [
        { name: 'Olavum Theeravum', type: 'work', aliases: [] },
        { name: 'P. N. Menon', type: 'Person', aliases: ['Menon'] },
        { name: 'Kerala', type: 'place' },
        { name: '1970', type: 'date' },
      ],
      relations: [
        {
          source: 'Olavum Theeravum',
          target: 'P. N. Menon',
          predicate: 'Directed by',
          evidence: 'Olavum Theeravum is a 1970 film directed by P. N. Menon.',
        },
        { source: 'Menon', target: 'Kerala', predicate: 'born in', evidence: 'not in the text' },
        { source: 'Nobody', target: 'Kerala', predicate: 'visited' },
      ],
    };
    const started = await startServer(['```json\n' + JSON.stringify(answer) + '\n```']);
    server = started.server;
    const extractor = new OpenAiCompatibleExtractor({
      baseUrl: `${started.url}/v1/`,
      model: 'test-model',
      apiKey: 'k',
    });
    const result = await extractor.extract([chunk]);

    expect(started.requests).toHaveLength(1);
    const request = started.requests[0] as {
      url: string;
      authorization: string;
      body: { model: string; response_format: unknown; messages: { content: string }[] };
    };
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer k');
    expect(request.body.model).toBe('test-model');
    expect(request.body.response_format).toEqual({ type: 'json_object' });
    expect(request.body.messages[1].content).toContain(chunk.text);

    const menon = result.entities.find((entity) => entity.key === 'p n menon');
    expect(menon?.type).toBe('person');
    expect(menon?.mentions.map((mention) => mention.surface)).toEqual([
      'P. N. Menon',
      'Menon',
      'Menon',
    ]);
    for (const mention of result.entities.flatMap((entity) => entity.mentions)) {
      expect(chunk.text.slice(mention.start, mention.end)).toBe(mention.surface);
    }
    expect(result.relations).toEqual([
      {
        sourceKey: 'olavum theeravum',
        targetKey: 'p n menon',
        predicate: 'directed by',
        chunkId: 'c1',
        evidence: 'Olavum Theeravum is a 1970 film directed by P. N. Menon.',
        weight: 1,
      },
      {
        sourceKey: 'p n menon',
        targetKey: 'kerala',
        predicate: 'born in',
        chunkId: 'c1',
        evidence: 'Menon was born in Kerala.',
        weight: 1,
      },
    ]);
  });

  it('fails with a clear error when the answer is not the expected JSON', async () => {
    const started = await startServer(['{"entities": "lots"}']);
    server = started.server;
    const extractor = new OpenAiCompatibleExtractor({ baseUrl: started.url, model: 'm' });
    const failure = extractor.extract([chunk]);
    await expect(failure).rejects.toBeInstanceOf(LlmExtractionError);
    await expect(failure).rejects.toThrow(
      /chunk c1 is not the expected JSON \(entities: Expected array/,
    );
  });

  it('fails with a clear error when the endpoint cannot be reached', async () => {
    const extractor = new OpenAiCompatibleExtractor({
      baseUrl: 'http://127.0.0.1:9',
      model: 'm',
      timeoutMs: 2000,
    });
    await expect(extractor.extract([chunk])).rejects.toThrow(/unreachable/);
  });
});
