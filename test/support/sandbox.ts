/**
 * Two loopback fake clusters with Istio's control plane "installed" and the fake istioctl, for trying
 * eastwest by hand without the lab: `npx tsx test/support/sandbox.ts [--lb pending] [--rollout-ms 3000]`.
 * Prints the environment to use; runs until Ctrl-C.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {FakeApiServer, writeKubeconfig} from './fake-apiserver.js';
import {fakeIstioctlEnv} from './fake-istioctl.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : undefined;
};
const rolloutMs = Number(flag('--rollout-ms') ?? 2500);
const lbScenario = (flag('--lb') ?? 'ip') as 'ip' | 'pending' | 'hostname';

const servers: FakeApiServer[] = [];
for (const [name, network] of [
	['east', 'net-east'],
	['west', 'net-west'],
] as const) {
	const s = await FakeApiServer.start({token: `${name}-token`});
	s.addIstioCrds();
	s.addNamespace('istio-system', {'topology.istio.io/network': network});
	s.addIstiod({clusterId: name, meshId: 'mesh1', network});
	s.deployment = {scenario: 'ready', delayMs: rolloutMs};
	s.loadBalancer = {scenario: lbScenario, delayMs: Math.round(rolloutMs / 2)};
	servers.push(s);
}
const kubeconfig = writeKubeconfig([
	{name: 'east', server: servers[0]!},
	{name: 'west', server: servers[1]!},
]);
const {env} = fakeIstioctlEnv({FAKE_ISTIOCTL_SCENARIO: 'ok'});
const envFile = path.join(path.dirname(kubeconfig), 'env.sh');
writeFileSync(envFile, `export KUBECONFIG=${kubeconfig}\nexport PATH=${env.PATH}\nexport FAKE_ISTIOCTL_LOG=${env.FAKE_ISTIOCTL_LOG}\n`);
console.log(`sandbox up: contexts east (${servers[0]!.url}) and west (${servers[1]!.url})`);
console.log(`source ${envFile}`);
const stop = async () => {
	await Promise.all(servers.map(s => s.close()));
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
