import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CgroupResolver, copyString } from '../../examples/metrics-fetcher/cgroup-resolver.js';
import { containerIdOf } from '../../examples/metrics-fetcher/metrics-fetcher.js';

const id = (n: number) => n.toString(16).padStart(64, 'a');

describe('CgroupResolver', () => {
  it('caches by id: the same info for the same id, one entry per container', () => {
    const resolver = new CgroupResolver('fixed');
    resolver.beginScrape();
    const a = resolver.resolve(id(1));
    assert.equal(resolver.resolve(id(1)), a);
    assert.notEqual(resolver.resolve(id(2)), a);
    assert.equal(resolver.cache.size, 2);
    assert.equal(a.shortId, id(1).slice(0, 12));
  });

  it('forgets containers unseen for N scrapes, and keeps the ones still seen', () => {
    const resolver = new CgroupResolver('leaky', 2);
    resolver.beginScrape();
    resolver.resolve(id(1));
    resolver.resolve(id(2));
    for (let scrape = 0; scrape < 2; scrape++) {
      resolver.beginScrape();
      resolver.resolve(id(1));
      resolver.forgetUnseen();
    }
    assert.deepEqual([...resolver.cache.keys()], [id(1)]);
  });

  it('leaky mode keeps the very cgroup path given in its record; fixed mode an equal copy; ids are equal either way', () => {
    const response = `x{id="/kubepods/pod1/${id(9)}"} 1`;
    const cgroup = response.slice(response.indexOf('"') + 1, response.lastIndexOf('"'));
    const slice = containerIdOf(cgroup)!;
    assert.equal(slice, id(9));
    const leaky = new CgroupResolver('leaky');
    const fixed = new CgroupResolver('fixed');
    assert.equal(leaky.resolve(slice, cgroup).cgroupPath, cgroup);
    assert.equal(fixed.resolve(slice, cgroup).cgroupPath, cgroup);
    assert.equal(leaky.resolve(slice).containerId, slice);
    assert.equal(copyString(slice), slice);
    assert.deepEqual([...leaky.cache.keys()], [slice]);
    assert.deepEqual([...fixed.cache.keys()], [slice]);
  });

  it('containerIdOf takes the 64-hex tail of container cgroups only', () => {
    assert.equal(containerIdOf(`/kubepods/burstable/podx/${id(3)}`), id(3));
    assert.equal(containerIdOf('/kubepods/burstable/pod1234'), undefined);
    assert.equal(containerIdOf(`/kubepods/${'g'.repeat(64)}`), undefined);
    assert.equal(containerIdOf('/'), undefined);
  });
});
