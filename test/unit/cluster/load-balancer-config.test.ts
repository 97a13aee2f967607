import { describe, expect, it } from 'vitest';
import { renderConfig } from '../../../deploy/load-balancer.js';
import { readDoc } from '../../fixtures/docs.js';

const nodes = [1, 2, 3].map((i) => ({ host: `10.0.0.${i}`, port: 3000 }));

describe('load balancer configurations', () => {
  it.each(['haproxy', 'nginx'] as const)(
    'docs/cluster.md shows deploy/ %s configuration as it is',
    (kind) => {
      const config = renderConfig(kind, { host: '0.0.0.0', port: 8080 }, nodes, `/var/lib/livedrop-${kind}`);
      expect(readDoc('cluster')).toContain(config.trimEnd());
    },
  );

  it('lists every node and fills every placeholder', () => {
    for (const kind of ['haproxy', 'nginx'] as const) {
      const config = renderConfig(kind, { host: '127.0.0.1', port: 9 }, nodes, '/tmp/x');
      expect(config).not.toMatch(/\{\{/);
      for (const node of nodes) expect(config).toContain(`${node.host}:${node.port}`);
    }
  });
});
