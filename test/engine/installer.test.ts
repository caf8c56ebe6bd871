// The engine and the teardown speak to the ComponentInstaller port: an installer that keeps releases (as
// Helm does) is asked before it is run, its matching release makes the step unchanged without running it,
// and remove uninstalls only a release of eastwest's.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createRunPlan} from '../../source/engine/index.js';
import {createRemovePlan} from '../../source/engine/remove.js';
import {buildPlan} from '../../source/core/plan.js';
import {buildTeardown} from '../../source/core/teardown.js';
import type {RunOutcome} from '../../source/core/events.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {ComponentInstaller, ComponentInstallOptions, ComponentTarget, ReleaseState} from '../../source/core/ports.js';
import {istioctlInstaller} from '../../source/core/installer.js';
import {FakeFactory, FakeIstioctl} from '../support/fake-cluster.js';
import {multiNetwork} from '../support/plans.js';

/** A release-keeping installer: installs through the fake istioctl (so the cluster gets its objects) and keeps one release per context. */
class ReleaseInstaller implements ComponentInstaller {
	readonly kind = 'helm' as const;
	readonly path = '/fake/helm';
	readonly verb = 'helm upgrade --install';
	readonly keepsReleases = true;
	readonly installs: ComponentInstallOptions[] = [];
	readonly uninstalls: string[] = [];
	/** Per context: the release, its network and whether eastwest made it. */
	readonly releases = new Map<string, {network: string; ours: boolean}>();
	private readonly inner: ComponentInstaller;

	constructor(istioctl: FakeIstioctl) {
		this.inner = istioctlInstaller(istioctl);
	}

	async inspect(target: ComponentTarget): Promise<ReleaseState | undefined> {
		const r = this.releases.get(target.context);
		if (!r) return undefined;
		const differences = r.network === target.params.network ? [] : [`networkGateway is ${r.network} (want ${target.params.network})`];
		return {
			installer: 'helm',
			name: 'istio-eastwestgateway',
			namespace: 'istio-system',
			chart: 'gateway',
			chartVersion: '1.0.0',
			status: 'deployed',
			ours: r.ours,
			differences,
		};
	}

	async install(options: ComponentInstallOptions): Promise<void> {
		this.installs.push(options);
		await this.inner.install(options);
		if (!options.dryRun) this.releases.set(options.context, {network: options.params.network, ours: true});
	}

	async uninstall(target: ComponentTarget): Promise<'uninstalled' | 'not-found'> {
		this.uninstalls.push(target.context);
		this.releases.delete(target.context);
		return 'uninstalled';
	}
}

const step = (o: RunOutcome, cluster: string, kind: string) => o.clusters.find(c => c.cluster === cluster)!.steps.find(s => s.kind === kind)!;

async function run(input: MeshPlanInput, factory: FakeFactory, installer: ReleaseInstaller, istioctl: FakeIstioctl) {
	return createRunPlan({factory, istioctl, installer})(buildPlan(input), {timeoutMs: 2000, dryRun: false, force: false, onEvent: () => {}});
}

test('the gateway is installed through the installer handed in, with the component and its parameters; no install record is written', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const istioctl = new FakeIstioctl(factory);
	const installer = new ReleaseInstaller(istioctl);
	const outcome = await run(multiNetwork, factory, installer, istioctl);
	factory.dispose();
	assert.equal(outcome.ok, true);
	assert.deepEqual(
		installer.installs.map(i => [i.component, i.context, i.params.network, i.kubeconfig]),
		[
			['eastwest-gateway', 'ce', 'net-east', '/tmp/kubeconfig'],
			['eastwest-gateway', 'cw', 'net-west', '/tmp/kubeconfig'],
		],
	);
	assert.match(step(outcome, 'east', 'install-gateway').detail ?? '', /^installed with helm \(release istio-eastwestgateway/);
	const [gateway] = factory.cluster('ce').objectsOf('Deployment', {namespace: 'istio-system', name: 'istio-eastwestgateway'});
	assert.ok(gateway, 'the gateway Deployment is there');
	assert.equal((gateway.metadata as {annotations?: Record<string, string>}).annotations?.['eastwest/installed-by'], undefined);
});

test('a re-run whose releases match is unchanged without running the installer; a release that differs is installed again', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const istioctl = new FakeIstioctl(factory);
	const installer = new ReleaseInstaller(istioctl);
	await run(multiNetwork, factory, installer, istioctl);
	const again = await run(multiNetwork, factory, installer, istioctl);
	assert.equal(installer.installs.length, 2, 'no install on the re-run');
	assert.equal(step(again, 'west', 'install-gateway').status, 'unchanged');
	assert.match(
		step(again, 'west', 'install-gateway').detail ?? '',
		/already installed by eastwest: helm release istio-system\/istio-eastwestgateway \(chart gateway 1\.0\.0, deployed\) matches the plan/,
	);
	installer.releases.set('cw', {network: 'net-old', ours: true});
	const stale = await run(multiNetwork, factory, installer, istioctl);
	factory.dispose();
	assert.equal(installer.installs.length, 3);
	assert.equal(installer.installs[2]!.context, 'cw');
	assert.equal(step(stale, 'west', 'install-gateway').status, 'changed');
});

test('a matching release eastwest did not make is used as it is; remove uninstalls only the releases of eastwest', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const istioctl = new FakeIstioctl(factory);
	const installer = new ReleaseInstaller(istioctl);
	await run(multiNetwork, factory, installer, istioctl);
	installer.releases.set('ce', {network: 'net-east', ours: false});
	const again = await run(multiNetwork, factory, installer, istioctl);
	assert.match(
		step(again, 'east', 'install-gateway').detail ?? '',
		/not installed by eastwest: its values match the plan, so eastwest uses it as it is; remove leaves it/,
	);

	const removal = await createRemovePlan({factory, installer})(buildTeardown(multiNetwork, {}), {timeoutMs: 2000, dryRun: false, onEvent: () => {}});
	factory.dispose();
	assert.deepEqual(installer.uninstalls, ['cw']);
	assert.ok(removal.left.some(l => l.cluster === 'east' && /helm release istio-system\/istio-eastwestgateway was not installed by eastwest/.test(l.reason)));
	assert.ok(installer.releases.has('ce'), "the user's release stays");
});
