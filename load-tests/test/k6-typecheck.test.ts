import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const k6Dir = path.join(root, 'load-tests/k6');

describe('the k6 scripts', () => {
  it('when typechecked against @types/k6 (tsconfig.k6.json), then tsc reports no error', () => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    expect(() =>
      execFileSync(process.execPath, [tsc, '-p', path.join(root, 'load-tests/tsconfig.k6.json')], {
        stdio: 'pipe',
      }),
    ).not.toThrow();
  }, 120_000);

  it('when read, then every scenario is open-loop (arrival-rate) and failures are held under 1%', () => {
    const scripts = readdirSync(k6Dir).filter((f) => f.endsWith('.ts'));
    expect(scripts.sort()).toEqual(['dsb-mix.ts', 'extended-mix.ts', 'soak.ts', 'spike.ts']);
    for (const script of scripts) {
      const text = readFileSync(path.join(k6Dir, script), 'utf8');
      expect(text).toMatch(/executor: '(constant|ramping)-arrival-rate'/);
      expect(text).not.toMatch(/executor: '(constant|ramping)-vus'/);
    }
    const lib = readFileSync(path.join(k6Dir, 'lib/flock.ts'), 'utf8');
    expect(lib).toMatch(/http_req_failed\{scenario:\$\{scenario\}\}`\]: \['rate<0\.01'\]/);
    expect(lib).toMatch(/'p\(95\)<\d+', 'p\(99\)<\d+'/);
  });

  it('when the DSB mix is read, then it is 60% home, 30% user timeline, 10% compose', () => {
    const text = readFileSync(path.join(k6Dir, 'dsb-mix.ts'), 'utf8');
    expect(text).toMatch(/roll < 0\.6\) readHomeTimeline/);
    expect(text).toMatch(/roll < 0\.9\) readUserTimeline/);
    expect(text).toMatch(/else composePost/);
  });
});
