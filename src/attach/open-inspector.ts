/**
 * Opening the V8 inspector of a Node process that runs no agent, as
 * `node inspect -p PID` does: SIGUSR1 makes Node start its inspector (on
 * 127.0.0.1:9229 unless the process was started with another --inspect-port).
 * What tsprof adds: it refuses processes of other users and processes that are
 * not Node (SIGUSR1 ends most other programs), finds the port the inspector
 * really bound from /proc rather than assuming 9229, and closes the inspector
 * again when it is done, so the process is left as it was found.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { get } from 'node:http';
import { basename } from 'node:path';
import { TsprofError, errorMessage } from '../errors.js';
import { InspectorClient } from './inspector-client.js';

/** TargetProcess is what tsprof learned of the process before touching it. */
export interface TargetProcess {
  pid: number;
  /** The executable, from /proc/PID/exe. */
  executable: string;
  /** The process's working directory: the app root for naming files. */
  cwd: string;
}

/** OpenedInspector is a live protocol session with the target, and how it was opened. */
export interface OpenedInspector {
  target: TargetProcess;
  client: InspectorClient;
  /** host:port of the inspector. */
  address: string;
  /** True when tsprof opened it with SIGUSR1 (and so must close it); false when it was already open. */
  openedBySignal: boolean;
  /** The target's Node version (process.version). */
  nodeVersion: string;
  /** The target's V8 version and Node flags (execArgv and NODE_OPTIONS), which decide how its profiles read. */
  v8Version: string;
  nodeFlags: string[];
}

/** How long the target may take to open its inspector after SIGUSR1. */
const openTimeoutMs = 5000;

/** inspectTarget checks that pid is a Node process of this user, without sending it anything. */
export async function inspectTarget(pid: number): Promise<TargetProcess> {
  if (!Number.isInteger(pid) || pid <= 0) throw new TsprofError(`attach: ${pid} is not a process id`);
  if (pid === process.pid) throw new TsprofError('attach: that is tsprof itself');
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TsprofError(`attach: no process ${pid}`);
    throw new TsprofError(`attach: cannot read /proc/${pid}/status: ${errorMessage(err)} (tsprof attach needs Linux /proc)`);
  }
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const ours = process.getuid?.();
  if (ours === undefined || uid !== ours) {
    throw new TsprofError(`attach: process ${pid} belongs to user ${uid}, not to you (user ${ours}): tsprof attaches only to your own processes`);
  }
  if (/^State:\s+Z/m.test(status)) throw new TsprofError(`attach: process ${pid} is a zombie (it has exited)`);
  let executable: string;
  let cwd: string;
  try {
    executable = await readlink(`/proc/${pid}/exe`);
    cwd = await readlink(`/proc/${pid}/cwd`);
  } catch (err) {
    throw new TsprofError(`attach: cannot read process ${pid}: ${errorMessage(err)}`);
  }
  if (!/node/i.test(basename(executable.replace(/ \(deleted\)$/, '')))) {
    throw new TsprofError(`attach: process ${pid} runs ${executable}, not Node.js; tsprof sends no signal to it (SIGUSR1 would end most programs)`);
  }
  return { pid, executable, cwd };
}

/**
 * openInspector connects to the target's inspector, opening it with SIGUSR1
 * when it is not open yet. `say` is told each thing done to the process.
 */
export async function openInspector(target: TargetProcess, say: (line: string) => void): Promise<OpenedInspector> {
  const before = await listeningAddresses(target.pid);
  for (const address of before) {
    const url = await debuggerUrl(address);
    if (url !== undefined) {
      say(`process ${target.pid} already has its inspector open on ${address}: using it, and leaving it open`);
      return connected(target, url, address, false);
    }
  }
  try {
    process.kill(target.pid, 'SIGUSR1');
  } catch (err) {
    throw new TsprofError(`attach: cannot signal process ${target.pid}: ${errorMessage(err)}`);
  }
  const deadline = Date.now() + openTimeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    for (const address of await listeningAddresses(target.pid)) {
      if (before.includes(address)) continue;
      const url = await debuggerUrl(address);
      if (url !== undefined) {
        say(`sent SIGUSR1 to process ${target.pid}: it opened its inspector on ${address}`);
        return connected(target, url, address, true);
      }
    }
  }
  throw new TsprofError(
    `attach: process ${target.pid} opened no inspector within ${openTimeoutMs / 1000} s of SIGUSR1 ` +
      '(started with --disable-sigusr1, handling SIGUSR1 itself, or its inspector port is taken by another process)',
  );
}

async function connected(target: TargetProcess, url: string, address: string, openedBySignal: boolean): Promise<OpenedInspector> {
  let client: InspectorClient;
  try {
    client = await InspectorClient.connect(url);
  } catch (err) {
    throw new TsprofError(`attach: cannot connect to the inspector of process ${target.pid} at ${address}: ${errorMessage(err)}`);
  }
  const runtime = await client
    .send<{ result: { value?: { node?: unknown; v8?: unknown; flags?: unknown } } }>(
      'Runtime.evaluate',
      { expression: "({ node: process.version, v8: process.versions.v8, flags: [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\\s+/)] })", returnByValue: true },
      10_000,
    )
    .then((r) => r.result.value ?? {})
    .catch(() => ({}) as { node?: unknown; v8?: unknown; flags?: unknown });
  return {
    target,
    client,
    address,
    openedBySignal,
    nodeVersion: typeof runtime.node === 'string' ? runtime.node : 'unknown',
    v8Version: typeof runtime.v8 === 'string' ? runtime.v8 : 'unknown',
    nodeFlags: Array.isArray(runtime.flags) ? runtime.flags.filter((f): f is string => typeof f === 'string') : [],
  };
}

/**
 * closeInspector ends the session and, when tsprof opened the inspector, closes
 * it in the target: node:inspector's close() is scheduled there to run once the
 * session is gone (it waits for sessions to end), then tsprof checks that the
 * port is closed. Returns what it did, for the user.
 */
export async function closeInspector(opened: OpenedInspector): Promise<string> {
  if (!opened.openedBySignal) {
    opened.client.close();
    return `left the inspector of process ${opened.target.pid} open on ${opened.address}, as it was found`;
  }
  const expression = `(() => {
    const load = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule : require;
    const inspector = load('node:inspector');
    setTimeout(() => inspector.close(), 20);
    return true;
  })()`;
  try {
    await opened.client.send('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true }, 10_000);
  } finally {
    opened.client.close();
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const still = (await listeningAddresses(opened.target.pid).catch((): string[] => [])).includes(opened.address);
    if (!still) return `closed the inspector of process ${opened.target.pid} again (${opened.address} no longer listens)`;
  }
  throw new TsprofError(`attach: asked process ${opened.target.pid} to close its inspector, but ${opened.address} still listens`);
}

/**
 * listeningAddresses lists the TCP addresses (host:port) the process listens on,
 * from its socket file descriptors and the kernel's tables in /proc.
 */
export async function listeningAddresses(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  const addresses: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9]!)) continue; // 0A: LISTEN
      const [hexHost, hexPort] = fields[1]!.split(':') as [string, string];
      addresses.push(`${connectHost(hexHost)}:${parseInt(hexPort, 16)}`);
    }
  }
  return addresses;
}

/** connectHost turns /proc's hex address into the host to connect to (a wildcard bind is reached on loopback). */
function connectHost(hex: string): string {
  // Each 32-bit word of the address is written in the host's (little-endian) byte order.
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(hex.slice(word + b * 2, word + b * 2 + 2), 16));
  }
  if (bytes.every((b) => b === 0)) return '127.0.0.1';
  if (bytes.length === 4) return bytes.join('.');
  const mappedV4 = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mappedV4) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let k = 0; k < 16; k += 2) groups.push(((bytes[k]! << 8) | bytes[k + 1]!).toString(16));
  return `[${groups.join(':')}]`;
}

/** debuggerUrl asks host:port for the inspector's target list; undefined when it is not an inspector. */
function debuggerUrl(address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get(`http://${address}/json/list`, { timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 1 << 20) req.destroy();
      });
      res.on('end', () => {
        try {
          const targets = JSON.parse(body) as { webSocketDebuggerUrl?: string }[];
          resolve(Array.isArray(targets) ? targets.find((t) => typeof t.webSocketDebuggerUrl === 'string')?.webSocketDebuggerUrl : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
