/**
 * The SocialPlatform CRD, generated from schema.ts. The chart's copy
 * (`charts/flock-operator/crds/socialplatforms.flock.dev.yaml`) is printed by
 * `flock-operator crd` (`npm run sync-crd`, i.e. scripts/kube/sync-crd.sh) and a test keeps the
 * two identical. The offline `render` command applies the same defaults and validation with ajv.
 */
import { z } from 'zod';
import { platformObject } from './schema.js';
import { structural } from './structural.js';
import { GROUP, KIND, PLURAL, VERSION } from './types.js';

/**
 * The `openAPIV3Schema` of the served version. zod's input view: a field with a default is not
 * required of the user, the apiserver fills it in.
 */
export const platformSchema = structural(z.toJSONSchema(platformObject, { io: 'input' }));

export const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: {
      kind: KIND,
      listKind: `${KIND}List`,
      plural: PLURAL,
      singular: 'socialplatform',
      shortNames: ['sp'],
    },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          {
            name: 'Ready',
            type: 'string',
            jsonPath: '.status.conditions[?(@.type=="Ready")].status',
          },
          {
            name: 'Reason',
            type: 'string',
            jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
          },
          { name: 'Services', type: 'string', jsonPath: '.status.servicesReady' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: { openAPIV3Schema: platformSchema },
      },
    ],
  },
};
