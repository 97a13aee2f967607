// Fastify loads Ajv (~90 modules) and fast-json-stringify when an app is created, yet they only
// compile route schemas and no livedrop route declares one. Loading them on first use keeps them off
// the idle (and so the peak) RSS; a route that adds a schema still gets Fastify's default compilers.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

// Resolved from fastify's own location: these are its dependencies, not ours.
const requireFromFastify = createRequire(import.meta.resolve('fastify'));

function onFirstUse<Factory extends (...args: never[]) => unknown>(moduleId: string): Factory {
  let factory: Factory | undefined;
  return ((...args: Parameters<Factory>) => {
    factory ??= (requireFromFastify(moduleId) as () => Factory)();
    return factory(...args);
  }) as Factory;
}

export const lazySchemaCompilers: CompilersFactory = {
  buildValidator: onFirstUse<NonNullable<CompilersFactory['buildValidator']>>('@fastify/ajv-compiler'),
  buildSerializer: onFirstUse<NonNullable<CompilersFactory['buildSerializer']>>(
    '@fastify/fast-json-stringify-compiler',
  ),
};
