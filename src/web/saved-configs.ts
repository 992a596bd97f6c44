import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { TsprofError } from '../errors.js';
import { refineParameters, urlParameters } from './url-config.js';

/** SavedConfig is a named set of the web UI's URL settings (pprof's parameter names), as pprof's saved configurations. */
export interface SavedConfig {
  name: string;
  /** The URL query that applies it, e.g. "si=alloc_space&f=parse". */
  query: string;
}

/**
 * defaultSettingsFile is tsprof's settings file under the user's config
 * directory ($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application
 * Support on macOS, %APPDATA% on Windows), as pprof keeps its own.
 */
export function defaultSettingsFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = process.platform === 'win32'
    ? env.APPDATA ?? join(homedir(), 'AppData', 'Roaming')
    : process.platform === 'darwin'
      ? join(homedir(), 'Library', 'Application Support')
      : env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'tsprof', 'settings.json');
}

/** readSavedConfigs lists the saved configurations (none when the file does not exist); a broken file is an error naming it. */
export function readSavedConfigs(file: string): SavedConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new TsprofError(`reading ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new TsprofError(`reading ${file}: not JSON: ${(err as Error).message}`);
  }
  const configs = (parsed as { configs?: unknown }).configs;
  if (!Array.isArray(configs)) return [];
  return configs.filter((c): c is SavedConfig => typeof c?.name === 'string' && typeof c?.query === 'string');
}

/** settingsQuery keeps the parts of a query that are settings (pprof's URL parameters), dropping anything else. */
export function settingsQuery(query: URLSearchParams): string {
  const known = new Set([...Object.values(urlParameters), ...refineParameters]);
  const kept = new URLSearchParams();
  for (const [k, v] of query) if (known.has(k) && v !== '') kept.append(k, v);
  return kept.toString();
}

/** saveConfig adds or replaces the named configuration; the file is replaced whole, never left half written. */
export function saveConfig(file: string, name: string, query: URLSearchParams): SavedConfig[] {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 100) throw new TsprofError('saving a configuration: its name must be 1 to 100 characters');
  const configs = readSavedConfigs(file).filter((c) => c.name !== trimmed);
  configs.push({ name: trimmed, query: settingsQuery(query) });
  configs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  writeSettings(file, configs);
  return configs;
}

/** deleteConfig removes the named configuration, if there is one. */
export function deleteConfig(file: string, name: string): SavedConfig[] {
  const configs = readSavedConfigs(file).filter((c) => c.name !== name);
  writeSettings(file, configs);
  return configs;
}

function writeSettings(file: string, configs: SavedConfig[]): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ configs }, null, 2) + '\n', { mode: 0o600 });
    renameSync(temp, file);
  } catch (err) {
    throw new TsprofError(`writing ${file}: ${(err as Error).message}`);
  }
}
