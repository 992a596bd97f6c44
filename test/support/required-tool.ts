/**
 * Tests that need a tool outside Node (go for the pprof oracle, Chromium for the
 * web UI) run wherever it is installed. In CI (CI=true) a missing tool is a
 * failure: .ci/run must install it. Elsewhere the test is skipped with one line
 * that says what to install, instead of failing with a stack trace.
 */
import { spawnSync } from 'node:child_process';

/** How to get each tool on Debian, as .ci/run does. */
const installHints = {
  go: 'go tool pprof (the compatibility oracle): apt-get install golang-go',
  chromium: 'Chromium for the browser tests: apt-get install chromium',
} as const;

/** A tool a test may need. */
export type RequiredTool = keyof typeof installHints;

const found = new Map<RequiredTool, boolean>();

function isInstalled(tool: RequiredTool): boolean {
  let known = found.get(tool);
  if (known === undefined) {
    const probe = tool === 'go' ? spawnSync('go', ['version'], { stdio: 'ignore' }) : spawnSync('chromium', ['--version'], { stdio: 'ignore' });
    found.set(tool, (known = probe.status === 0));
  }
  return known;
}

/**
 * skipUnless is a node:test `skip` option: false when the tool is there, a
 * one-line reason to skip when it is not. In CI a missing tool throws instead,
 * so the test file fails and says which install step is missing.
 */
export function skipUnless(tool: RequiredTool): false | string {
  if (isInstalled(tool)) return false;
  if (process.env.CI) throw new Error(`CI: ${tool} is missing; .ci/run must install ${installHints[tool]}`);
  return `needs ${installHints[tool]}`;
}
