/**
 * The kubelet simulator as a process: `node kubelet-simulator-main.js
 * [-pods N] [-containers N] [-churn N] [-size BYTES] [-port N]`. Prints one
 * JSON line `{"url": ...}` when it listens, and runs until killed.
 */
import { parseFlags } from '../../src/cli/flags.js';
import { podsForResponseSize } from './kubelet-cluster.js';
import { startKubeletSimulator } from './kubelet-simulator.js';

const flags = parseFlags(process.argv.slice(2), {
  pods: { kind: 'int', default: 0, help: 'pods on the node (0: from -size)' },
  containers: { kind: 'int', default: 2, help: 'containers per pod' },
  churn: { kind: 'int', default: 1, help: 'containers restarted (new id) per scrape' },
  size: { kind: 'int', default: 1 << 20, help: 'approximate response size in bytes, when -pods is 0' },
  port: { kind: 'int', default: 0, help: 'port on 127.0.0.1 (0: any free port)' },
  seed: { kind: 'int', default: 1, help: 'seed of the simulated values' },
}).values;

const containersPerPod = flags.containers as number;
const pods = (flags.pods as number) || podsForResponseSize(flags.size as number, containersPerPod);
const simulator = await startKubeletSimulator({
  pods,
  containersPerPod,
  churn: flags.churn as number,
  port: flags.port as number,
  seed: flags.seed as number,
});
process.stdout.write(JSON.stringify({ url: simulator.url, pods, containers: simulator.cluster.containerCount }) + '\n');
process.on('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
