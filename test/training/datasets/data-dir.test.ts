/**
 * Where training and evaluation look for the data sets: one rule for the text and judgment loaders.
 */
import path from 'node:path';
import t from 'tap';
import { sharedDataDir } from '../../../training/datasets/text.js';

t.test('default: ../shared/data next to the working directory', async (t) => {
  t.equal(sharedDataDir({}, '/srv/app'), path.resolve('/srv/shared/data'));
});

t.test('DATA_DIR wins, relative paths resolve from the working directory', async (t) => {
  t.equal(sharedDataDir({ DATA_DIR: '/data/sets' }, '/srv/app'), path.resolve('/data/sets'));
  t.equal(sharedDataDir({ DATA_DIR: 'data' }, '/srv/app'), path.resolve('/srv/app/data'));
  t.equal(sharedDataDir({ DATA_DIR: '/a', SHARED_DATA_DIR: '/b' }, '/srv/app'), path.resolve('/a'));
});

t.test('SHARED_DATA_DIR, the older name, is still read; an empty value is ignored', async (t) => {
  t.equal(sharedDataDir({ SHARED_DATA_DIR: '/b' }, '/srv/app'), path.resolve('/b'));
  t.equal(sharedDataDir({ DATA_DIR: '' }, '/srv/app'), path.resolve('/srv/shared/data'));
});

t.test('without arguments it reads the process environment', async (t) => {
  const saved = { DATA_DIR: process.env.DATA_DIR, SHARED_DATA_DIR: process.env.SHARED_DATA_DIR };
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  process.env.DATA_DIR = '/tmp/llmprov-data-dir-test';
  delete process.env.SHARED_DATA_DIR;
  t.equal(sharedDataDir(), path.resolve('/tmp/llmprov-data-dir-test'));
});
