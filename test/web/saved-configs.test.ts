/** Named configurations: the settings file under the user's config directory, as pprof keeps its own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettingsFile, deleteConfig, readSavedConfigs, saveConfig, settingsQuery } from '../../src/web/saved-configs.js';

test('the settings file is tsprof/settings.json in the config directory', () => {
  if (process.platform !== 'linux') return;
  assert.equal(defaultSettingsFile({ XDG_CONFIG_HOME: '/cfg' }), '/cfg/tsprof/settings.json');
  assert.match(defaultSettingsFile({}), /\/\.config\/tsprof\/settings\.json$/);
});

test('save, replace, list in name order, delete; only settings are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsprof-settings-'));
  try {
    const file = join(dir, 'deep', 'settings.json');
    assert.deepEqual(readSavedConfigs(file), [], 'no file: no configurations');
    saveConfig(file, 'zeta', new URLSearchParams('si=alloc_space&token=secret&pivot=3&f=parse'));
    saveConfig(file, ' alpha ', new URLSearchParams('g=lines'));
    saveConfig(file, 'zeta', new URLSearchParams('si=inuse_space'));
    assert.deepEqual(readSavedConfigs(file), [{ name: 'alpha', query: 'g=lines' }, { name: 'zeta', query: 'si=inuse_space' }]);
    assert.equal(settingsQuery(new URLSearchParams('token=t&si=x&f=&h=a')), 'si=x&h=a', 'no token, no empty values');
    deleteConfig(file, 'alpha');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { configs: [{ name: 'zeta', query: 'si=inuse_space' }] });
    assert.throws(() => saveConfig(file, '  ', new URLSearchParams()), /name must be 1 to 100 characters/);
    writeFileSync(file, '{ not json');
    assert.throws(() => readSavedConfigs(file), /reading .*settings\.json: not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
