import type { Config } from '../driver/config.js';
import type { GenerateOptions } from '../driver/generate.js';
import type { Profile } from '../profile/profile.js';
import { renderPage } from './page-html.js';
import { computeView } from './views.js';

/**
 * staticHtml is `tsprof -html`: one self-contained page holding the
 * interactive flame graph and the top table of the profile, with their data
 * and code inline, for tickets and CI artifacts. It needs no server and
 * fetches nothing.
 */
export async function staticHtml(profile: Profile, config: Config, generate: GenerateOptions = {}): Promise<string> {
  const flame = await computeView('flamegraph', { profile, config, generate });
  const top = await computeView('top', { profile, config, generate });
  return renderPage({ ...flame, mode: 'static', top: top.top, errors: [...new Set([...flame.errors, ...top.errors])] });
}
