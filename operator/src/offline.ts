/** The offline half of the CLI, importable by tests: render platforms and print the CRD. */
import { parseAllDocuments, stringify } from 'yaml';
import { crd } from './api/crd.js';
import { defaultAndValidate, InvalidPlatformError, specProblems } from './api/validation.js';
import { renderPlatform } from './render/index.js';
import { KIND } from './api/types.js';

/**
 * Multi-document YAML of everything the platforms in `text` turn into; other documents in the
 * file (e.g. the Secrets a sample ships with) are skipped.
 */
export function renderYaml(text: string): string {
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS() as { kind?: string } | null)
    .filter((o) => o?.kind === KIND)
    .flatMap((raw) => {
      const platform = defaultAndValidate(raw);
      const problems = specProblems(platform);
      if (problems.length > 0) throw new InvalidPlatformError(problems.join('; '));
      return renderPlatform(platform);
    });
  // Services sharing one spec object (YAML aliases) must still print in full, not as aliases.
  return objects.map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n');
}

/** The CRD as the chart carries it (the nine services share one schema object: no aliases). */
export const crdYaml = (): string =>
  `# Generated from operator/src/api/schema.ts by scripts/kube/sync-crd.sh; do not edit.\n${stringify(crd, { aliasDuplicateObjects: false })}`;
