import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APIS } from '../../src/api/registry.js';
import { startServer, type TestServer } from '../helpers.js';
import { type Fixture, loadFixtures } from './fixtures.js';
import { PREPARE } from './scenarios.js';
import { shapeProblems, withAdditions } from './shape.js';

// Tencent's own request and response samples for every API parley serves (test/conformance/
// fixtures, each with its source URL): every sample request is sent, with the sample's ids replaced
// by real ones, and parley's answer must have exactly the sample response's field set, nesting and
// JSON types. Run twice: reading liberally (the default) and with PARLEY_STRICT_FIELDS=1, which
// refuses any field parley does not know, so every documented request field must be known.

const fixtures = loadFixtures();

test('every API parley serves has a fixture with samples and both pages, and a way to run them', () => {
  for (const api of APIS) {
    const name = `${api.service}/${api.command}`;
    const fixture = fixtures.get(name);
    assert.ok(fixture !== undefined, `no fixture for ${name}`);
    assert.ok(fixture.samples.length > 0, `${name}: the fixture has no sample`);
    assert.ok(fixture.pages.zh !== null || fixture.pages.intl !== null, `${name}: no page at all`);
    if (fixture.pages.zh !== null) assert.match(fixture.pages.zh, /^https:\/\/cloud\.tencent\.com\/document\/product\/269\/\d+$/, `${name}: Chinese page`);
    if (fixture.pages.intl !== null) assert.match(fixture.pages.intl, /^https:\/\/(www\.tencentcloud\.com\/document\/product\/1047|trtc\.io\/document)\/\d+$/, `${name}: international page`);
    for (const sample of fixture.samples) assert.match(sample.source, /^https:\/\//, `${name} / ${sample.name}: source URL`);
    assert.ok(PREPARE[name] !== undefined, `no scenario for ${name}`);
  }
  assert.equal(fixtures.size, APIS.length, 'a fixture for an API parley does not serve');
});

for (const strict of [false, true]) {
  describe(`Tencent's samples, ${strict ? 'with PARLEY_STRICT_FIELDS=1' : 'read liberally (default)'}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startServer({ env: strict ? { PARLEY_STRICT_FIELDS: '1' } : {} });
    });
    after(() => s.close());

    for (const fixture of [...fixtures.values()].sort((a: Fixture, b: Fixture) => a.api.localeCompare(b.api))) {
      for (const sample of fixture.samples) {
        test(`${fixture.api}: ${sample.name}`, async () => {
          const prepare = PREPARE[fixture.api];
          assert.ok(prepare !== undefined);
          const request = await prepare(s, sample);
          const reply = await s.call(fixture.api, request);
          assert.equal(reply.ErrorCode, 0, `${fixture.api} answered ${reply.ErrorCode}: ${reply.ErrorInfo} (sample from ${sample.source})`);
          const problems = shapeProblems(withAdditions(sample.response, sample.additions), reply);
          assert.deepEqual(problems, [], `${fixture.api} differs from Tencent's sample (${sample.source}):\n${problems.join('\n')}\nparley answered ${JSON.stringify(reply)}`);
        });
      }
    }
  });
}
