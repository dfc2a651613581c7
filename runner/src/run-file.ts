import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The Dapr CLI's multi-app run file (`dapr run -f .`), the subset Flock uses. Unknown fields are
 * tolerated, as the Dapr CLI tolerates them; paths resolve against the file's folder.
 */
const appSchema = z.object({
  appID: z.string().regex(/^[a-z][a-z0-9-]*$/),
  appDirPath: z.string().min(1),
  appPort: z.number().int().min(1).max(65535),
  daprHTTPPort: z.number().int().min(1).max(65535),
  command: z.array(z.string().min(1)).min(1),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const runFileSchema = z.object({
  version: z.literal(1),
  common: z
    .object({
      resourcesPath: z.string().optional(),
      env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    })
    .optional(),
  apps: z.array(appSchema).min(1),
});

export interface RunApp {
  appId: string;
  appDir: string;
  appPort: number;
  daprHttpPort: number;
  command: string[];
  env: Record<string, string>;
}

export interface RunFile {
  /** The folder holding the run file: relative paths (components, secretsFile) resolve here. */
  root: string;
  resourcesPath?: string;
  apps: RunApp[];
}

const stringify = (env: Record<string, string | number | boolean> = {}) =>
  Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)]));

export async function readRunFile(file: string): Promise<RunFile> {
  const parsed = runFileSchema.safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`${file} is not a valid multi-app run file:\n  ${problems.join('\n  ')}`);
  }
  const root = path.dirname(path.resolve(file));
  const { common, apps } = parsed.data;
  return {
    root,
    ...(common?.resourcesPath ? { resourcesPath: path.resolve(root, common.resourcesPath) } : {}),
    apps: apps.map((app) => ({
      appId: app.appID,
      appDir: path.resolve(root, app.appDirPath),
      appPort: app.appPort,
      daprHttpPort: app.daprHTTPPort,
      command: app.command,
      env: { ...stringify(common?.env), ...stringify(app.env) },
    })),
  };
}
