#!/usr/bin/env node
/**
 * flock-operator run                      run the operator (in-cluster or $KUBECONFIG)
 * flock-operator render -f platform.yaml  print every object the platform becomes, offline
 * flock-operator crd                      print the SocialPlatform CRD (the chart's copy)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { crdYaml, renderYaml } from './offline.js';
import { InvalidPlatformError } from './api/validation.js';
import { runFromEnv } from './run.js';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
    },
  });
  switch (positionals[0]) {
    case 'run':
      await runFromEnv();
      return -1; // keeps running until a signal
    case 'crd':
      process.stdout.write(crdYaml());
      return 0;
    case 'render': {
      if (!values.file) throw new InvalidPlatformError('render needs -f <platform.yaml>');
      process.stdout.write(renderYaml(readFileSync(values.file, 'utf8')));
      return 0;
    }
    default:
      process.stderr.write('usage: flock-operator run | render -f platform.yaml | crd\n');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => code >= 0 && process.exit(code),
  (err: unknown) => {
    process.stderr.write(`flock-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
