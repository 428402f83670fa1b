// The throughput ceiling: a bare node:http server that does the least any JSON API must do (read
// the POST body, JSON.parse it, answer a small envelope). parley's figures are reported as a ratio
// to this one, measured in the same run with the same load generator.
import { createServer } from 'node:http';

const ENVELOPE = JSON.stringify({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
const BAD_BODY = JSON.stringify({ ActionStatus: 'FAIL', ErrorCode: 90001, ErrorInfo: 'the request body is not valid JSON' });

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let answer = ENVELOPE;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (typeof body !== 'object' || body === null) answer = BAD_BODY;
    } catch {
      answer = BAD_BODY;
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer) });
    response.end(answer);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`baseline listening on http://127.0.0.1:${address.port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
