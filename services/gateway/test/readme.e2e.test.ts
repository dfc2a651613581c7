import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually, platformLabel, startTestPlatform, type TestPlatform } from '@flock/testing';

/**
 * The README's "Try it" walk-through, run as written (bash and curl) against a fresh platform:
 * only its address changes, from `npm start`'s port to the test platform's. In the daprd matrix
 * this is the walk-through on real daprd.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const README_API = 'http://127.0.0.1:3000/api/flock/v1';

/** The README's shell block that starts with `api=`. */
async function walkThrough(): Promise<string> {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((text) => text.startsWith(`api=${README_API}\n`));
  if (!block) throw new Error(`README.md has no sh block starting with api=${README_API}`);
  return block;
}

describe(`the README's walk-through with curl (${platformLabel()})`, () => {
  let flock: TestPlatform;

  beforeAll(async () => {
    flock = await startTestPlatform();
  }, 240_000);
  afterAll(() => flock?.stop(), 60_000);

  test('when a newcomer pastes it, then they are registered, post, and see the post in their home timeline', async () => {
    const script = (await walkThrough()).replace(README_API, `${flock.gatewayUrl}/api/flock/v1`);
    const bash = (text: string) =>
      promisify(execFile)('bash', ['-euo', 'pipefail', '-c', text], { timeout: 60_000 });
    // One answer per curl that prints: registration, the post, the home timeline.
    const answers = (await bash(script)).stdout
      .replace(/}\s*{/g, '}\n{')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(answers).toHaveLength(3);
    const post = answers[1] as { id: string; text: string; hashtags: string[] };
    expect(post).toMatchObject({ text: 'hello #flock', hashtags: ['flock'] });
    // Fan-out is asynchronous: the README waits a second. Under a loaded machine that may not be
    // enough, so the timeline read alone is run again until the post shows (it must, soon).
    type Home = { items: Array<{ postId: string }> };
    const homeHas = (home: Home) => home.items.some((i) => i.postId === post.id);
    if (!homeHas(answers[2] as Home)) {
      // The walk-through's lines up to the post (address, register, log in), then its last line.
      const signIn = script.slice(0, script.indexOf('curl -s $api/posts'));
      const timelineRead = script.trim().split('\n').at(-1)!;
      await eventually(async () => {
        const lines = (await bash(`${signIn}${timelineRead}`)).stdout.trim().split('\n');
        return homeHas(JSON.parse(lines.at(-1)!) as Home) ? true : undefined;
      }, 10_000);
    }
  }, 120_000);
});
