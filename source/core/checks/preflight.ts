/** Preflight checks, per cluster: run before anything changes. */
import {NETWORK_LABEL, TOPOLOGY_INFO, needsGateway, normalRevision, type ClusterSpec, type MeshPlanInput} from '../model.js';
import {controlPlaneWant, diffText, judgeControlPlane} from '../control-plane.js';
import type {ClusterFacts} from './facts.js';
import {CONTROL_PLANE_ANNOTATION, controlPlaneIncludes} from '../remote.js';
import type {Check} from './types.js';
import {isLoopbackHost, urlHost} from '../address.js';
import {
	DOCS,
	REPLACED_BY_CA,
	installDoc,
	ALL,
	PRIMARY_REMOTE,
	MIN_KUBERNETES_MINOR,
	pass,
	fail,
	warn,
	skip,
	isPrimary,
	isRemote,
	primaryOf,
	revisionText,
	istiodName,
	sameRevision,
	plannedIstiod,
	suggestion,
	kubernetesMinor,
	requiredPermissions,
	formatPermission,
} from './helpers.js';

/**
 * What the plan's control-plane step does about this primary's istiod, when it fixes what the checks below
 * judge: an install where none runs, a retrofit with the user's IstioOperator. Undefined when no step is
 * planned, or the step cannot fix it (the checks then judge the cluster as it is).
 */
function plannedFix(facts: ClusterFacts, plan: MeshPlanInput, cluster: ClusterSpec): string | undefined {
	if (!plan.controlPlane || !facts.istiod) return undefined;
	const iopFile = plan.controlPlane.iops?.[cluster.context];
	const injector = facts.injectors?.find(i => sameRevision(i.revision, plan.revision));
	const verdict = judgeControlPlane({istiods: facts.istiod, ...(injector ? {injector} : {})}, controlPlaneWant(plan, cluster), {
		context: cluster.context,
		...(iopFile !== undefined ? {iopFile} : {}),
	});
	if (verdict.action === 'install') return `planned: the run installs istiod here (control-plane step, ${verdict.detail})`;
	if (verdict.action === 'retrofit') return `planned: the run retrofits istiod with ${iopFile ?? 'your IstioOperator'} (${diffText(verdict.diff)})`;
	return undefined;
}

const RETROFIT_HINT = ', or let apply retrofit it: --control-plane-iop CONTEXT=FILE (the IstioOperator you installed with)';

export const PREFLIGHT_CHECKS: readonly Check[] = [
	{
		id: 'cluster-reachable',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		needsReachable: false,
		doc: DOCS.beforeYouBegin,
		claim: ({cluster}) => `context ${cluster.context} is reachable and runs Kubernetes ≥ 1.${MIN_KUBERNETES_MINOR}`,
		hint: ({cluster}) => `check the context with 'kubectl --context ${cluster.context} version'; fix credentials or network access to the API server`,
		evaluate: ({facts}) => {
			if (!facts.reachable) return fail(facts.error ?? 'the API server did not answer');
			const v = kubernetesMinor(facts.serverVersion);
			if (!v) return warn(`server version "${facts.serverVersion ?? ''}" is unreadable`);
			if (v.major === 1 && v.minor < MIN_KUBERNETES_MINOR)
				return warn(`Kubernetes ${facts.serverVersion} is older than 1.${MIN_KUBERNETES_MINOR}, the oldest current Istio supports`);
			return pass(`Kubernetes ${facts.serverVersion}`);
		},
	},
	{
		id: 'permissions',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: DOCS.beforeYouBegin,
		claim: ({cluster}) => `the user of context ${cluster.context} may do what the plan needs here`,
		hint: ({cluster}) =>
			`ask for these permissions or use a context with cluster-admin; 'kubectl --context ${cluster.context} auth can-i --list -n istio-system' shows what you have`,
		evaluate: ({facts, cluster, plan}) => {
			if (!facts.permissions) return skip('permissions were not checked');
			const missing = requiredPermissions(cluster, plan).filter(req => {
				const got = facts.permissions!.find(p => p.verb === req.verb && p.group === req.group && p.resource === req.resource && p.namespace === req.namespace);
				return !got?.allowed;
			});
			return missing.length === 0 ? pass() : fail(`not allowed to ${missing.map(formatPermission).join(', ')}`);
		},
	},
	{
		id: 'network-label',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: installDoc,
		claim: ({cluster}) => `istio-system carries no ${NETWORK_LABEL} label, or ${cluster.network}`,
		resolvedBy: {
			flags: ['--force'],
			applies: plan => TOPOLOGY_INFO[plan.topology].multiNetwork,
			does: () => 'the run relabels istio-system with the planned network',
		},
		hint: ({cluster, plan}) =>
			TOPOLOGY_INFO[plan.topology].multiNetwork
				? `the network label decides which gateway reaches this cluster; if ${cluster.network} is right, rerun with --force to relabel, otherwise use the existing network in the plan`
				: `eastwest does not relabel in ${plan.topology}; put the existing network in the plan, or relabel with 'kubectl --context ${cluster.context} label namespace istio-system ${NETWORK_LABEL}=${cluster.network} --overwrite'`,
		wizardHint: ({cluster}) =>
			`the wizard never relabels istio-system: set ${cluster.name}'s network to the existing one on the IDs screen, or if ${cluster.network} is right, relabel with 'kubectl --context ${cluster.context} label namespace istio-system ${NETWORK_LABEL}=${cluster.network} --overwrite' and check again`,
		evaluate: ({facts, cluster}) => {
			if (!facts.namespace) return skip('namespace istio-system was not read');
			if (!facts.namespace.present) return pass('istio-system does not exist yet');
			const label = facts.namespace.labels[NETWORK_LABEL];
			if (label === undefined) return pass('no network label yet');
			return label === cluster.network ? pass() : fail(`istio-system is labeled ${NETWORK_LABEL}=${label}, the plan says ${cluster.network}`);
		},
	},
	{
		id: 'remote-control-plane-annotation',
		scope: 'cluster',
		level: 'warn',
		phases: ['preflight'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan}) => `istio-system names ${primaryOf(plan)?.name ?? '<primary>'} in topology.istio.io/controlPlaneClusters, or eastwest may set it`,
		hint: ({plan}) =>
			`another primary controls this cluster: apply refuses to change the annotation unless --force hands it to ${primaryOf(plan)?.name ?? '<primary>'}`,
		wizardHint: ({plan, cluster}) =>
			`another primary controls this cluster, and the wizard never takes it over: if ${primaryOf(plan)?.name ?? '<primary>'} should, run 'kubectl --context ${cluster.context} annotate namespace istio-system ${CONTROL_PLANE_ANNOTATION}=${primaryOf(plan)?.name ?? '<primary>'} --overwrite' and check again`,
		evaluate: ({facts, plan}) => {
			if (!facts.namespace) return skip('namespace istio-system was not read');
			const primary = primaryOf(plan)?.name ?? '';
			const value = facts.namespace.annotations['topology.istio.io/controlPlaneClusters'];
			if (value === undefined) return pass('not set yet: apply sets it (annotate-remote)');
			return controlPlaneIncludes(value, primary) ? pass() : warn(`it names ${value}, not ${primary}`);
		},
	},
	{
		id: 'remote-no-local-istiod',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: DOCS.troubleshooting,
		claim: () => 'no istiod of its own runs on this remote',
		hint: ({plan, cluster}) =>
			`a cluster with its own istiod is a primary, and eastwest never installs the remote profile over a control plane: make ${cluster.name} a primary in the plan, or uninstall its istiod so ${primaryOf(plan)?.name ?? 'the primary'} serves it`,
		evaluate: ({facts}) => {
			if (!facts.istiod) return skip('istiod Deployments were not listed');
			return facts.istiod.length === 0 ? pass() : fail(`it runs its own control plane (Deployment ${facts.istiod.map(i => i.name).join(', ')})`);
		},
	},
	{
		id: 'istiod-present',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan}) => `istiod for ${revisionText(plan)} is installed and ready`,
		hint: ({plan}) =>
			`install the control plane first (istioctl install with meshID, clusterName and network as planned${normalRevision(plan.revision) ? `, --revision ${normalRevision(plan.revision)}` : ''}), or let apply install it: --control-plane default`,
		evaluate: ({facts, plan, cluster, phase}) => {
			const istiod = plannedIstiod(facts, plan);
			if (istiod === 'not-collected') return skip('istiod Deployments were not listed');
			const fix = phase === 'preflight' ? plannedFix(facts, plan, cluster) : undefined;
			if (!istiod && fix) return pass(fix);
			if (!istiod) {
				const others = facts.istiod!.map(i => `${i.name} (${i.revision ?? 'default'})`);
				return fail(`no ${istiodName(plan)} Deployment in istio-system${others.length ? `; found ${others.join(', ')}` : ''}`);
			}
			return istiod.ready ? pass(istiod.name) : warn(`${istiod.name} is not ready`);
		},
	},
	{
		id: 'istiod-cluster-id',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: DOCS.troubleshooting,
		claim: ({cluster}) => `istiod runs with CLUSTER_ID=${cluster.name}`,
		hint: ({cluster}) =>
			`reinstall the control plane with values.global.multiCluster.clusterName=${cluster.name}, or use its cluster name in the plan${RETROFIT_HINT}`,
		evaluate: ({facts, plan, cluster}) => {
			const istiod = plannedIstiod(facts, plan);
			if (istiod === 'not-collected' || !istiod) return skip(`no ${istiodName(plan)} to read`);
			const fix = plannedFix(facts, plan, cluster);
			if (fix) return pass(fix);
			if (istiod.clusterId === undefined || istiod.clusterId === 'Kubernetes') {
				return fail(`CLUSTER_ID is ${istiod.clusterId ?? 'unset'} (Istio's single-cluster default), which breaks multicluster`);
			}
			return istiod.clusterId === cluster.name ? pass() : fail(`CLUSTER_ID is ${istiod.clusterId}, the plan says ${cluster.name}`);
		},
	},
	{
		id: 'istiod-external',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: () => 'istiod runs with EXTERNAL_ISTIOD=true (it serves remote clusters)',
		hint: () => `reinstall the primary with values.pilot.env.EXTERNAL_ISTIOD=true (the primary-remote install page shows it)${RETROFIT_HINT}`,
		evaluate: ({facts, plan, cluster}) => {
			const istiod = plannedIstiod(facts, plan);
			if (istiod === 'not-collected' || !istiod) return skip(`no ${istiodName(plan)} to read`);
			const fix = plannedFix(facts, plan, cluster);
			if (fix) return pass(fix);
			return istiod.externalIstiod ? pass() : fail('EXTERNAL_ISTIOD is not true');
		},
	},
	{
		id: 'injector-values',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan, cluster}) => `the control plane was installed with meshID ${plan.meshId}, network ${cluster.network} and clusterName ${cluster.name}`,
		hint: () =>
			`install values and plan must agree: reinstall the control plane with the planned values, or change the plan to match the cluster${RETROFIT_HINT}`,
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.injectors) return skip('the sidecar injector values were not read');
			const fix = plannedFix(facts, plan, cluster);
			if (fix) return pass(fix);
			const values = facts.injectors.find(i => sameRevision(i.revision, plan.revision));
			if (!values) return skip(`no istio-sidecar-injector ConfigMap for ${revisionText(plan)}`);
			const wrong: string[] = [];
			if (values.meshId !== plan.meshId) wrong.push(`meshID is ${values.meshId ?? 'unset'}`);
			if (values.network !== cluster.network) wrong.push(`network is ${values.network || 'unset'}`);
			if (values.clusterName !== cluster.name) wrong.push(`clusterName is ${values.clusterName ?? 'unset'}`);
			return wrong.length === 0 ? pass() : fail(wrong.join(', '));
		},
	},
	{
		id: 'plugged-in-ca',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: DOCS.pluginCa,
		claim: () => 'secret istio-system/cacerts holds ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem',
		resolvedBy: REPLACED_BY_CA,
		hint: () => 'plug in intermediates of one shared root: eastwest ca create --out DIR once, then eastwest apply --ca DIR --restart-istiod',
		wizardHint: () => 'plug in intermediates of one shared root: go back to the Trust screen and generate a root or use yours, and let the run restart istiod',
		evaluate: ({facts, plan}) => {
			if (!facts.cacerts) return skip('secret cacerts was not read');
			if (!facts.cacerts.present && plan.caDir !== undefined) return pass(`no cacerts yet: the run plugs in an intermediate of the root in ${plan.caDir}`);
			if (!facts.cacerts.present) {
				if (facts.istioCaSecret) return warn("no cacerts: istiod runs Istio's self-signed CA (istio-ca-secret), which other clusters will not trust");
				return warn('no cacerts: istiod will create its own self-signed root, which other clusters will not trust');
			}
			const missing = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'].filter(k => !facts.cacerts!.keys.includes(k));
			return missing.length === 0 ? pass() : fail(`cacerts lacks ${missing.join(', ')}`);
		},
	},
	{
		id: 'api-server-address',
		scope: 'cluster',
		level: 'warn',
		phases: ['preflight'],
		topologies: ALL,
		// Primaries read the API servers of remotes (primary-remote) or of each other (multi-primary).
		appliesTo: (cluster, plan) => (TOPOLOGY_INFO[plan.topology].primaryRemote ? isRemote(cluster) : true),
		doc: DOCS.troubleshooting,
		claim: () => 'the API server address written into remote secrets is one other clusters can use',
		hint: ({cluster, facts}) => {
			const advertised = suggestion(facts?.advertisedApiServer, facts?.apiServerHost);
			if (advertised) {
				return `this cluster advertises ${advertised} to its own pods (kind, k3d and minikube clusters on one container network reach each other there): pass --api-server ${cluster.context}=${advertised}`;
			}
			return `istiod in another cluster must reach this API server: pass --api-server ${cluster.context}=https://HOST:PORT with an address it can reach (eastwest hands it to istioctl create-remote-secret --server)`;
		},
		wizardHint: ({cluster, facts}) => {
			const advertised = suggestion(facts?.advertisedApiServer, facts?.apiServerHost);
			if (advertised) {
				return `this cluster advertises ${advertised} to its own pods (kind, k3d and minikube clusters on one container network reach each other there): set ${cluster.name}'s API server to it on the IDs screen`;
			}
			return `istiod in another cluster must reach this API server: set ${cluster.name}'s API server on the IDs screen to https://HOST:PORT, an address it can reach`;
		},
		evaluate: ({facts, cluster}) => {
			if (cluster.apiServer !== undefined) {
				const host = urlHost(cluster.apiServer);
				if (host === undefined) return warn(`--api-server ${cluster.apiServer} is not a URL`);
				return isLoopbackHost(host) ? warn(`--api-server ${cluster.apiServer} is a loopback address`) : pass(`${cluster.apiServer} (--api-server)`);
			}
			if (facts.apiServerHost === undefined) return skip('the kubeconfig has no server for this context');
			if (!isLoopbackHost(facts.apiServerHost)) return pass(facts.apiServerHost);
			const advertised = suggestion(facts.advertisedApiServer, facts.apiServerHost);
			return warn(
				`the kubeconfig's server is ${facts.apiServerHost}, a loopback address no other cluster can use${advertised ? `; the cluster advertises ${advertised}` : ''}`,
			);
		},
	},
	{
		id: 'load-balancer-support',
		scope: 'cluster',
		level: 'info',
		phases: ['preflight'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.beforeYouBegin,
		claim: () => 'LoadBalancer Services get an external address here',
		hint: () => 'without a LoadBalancer controller the gateway stays <pending>: install one (MetalLB on kind or bare metal) or plan to set spec.externalIPs',
		evaluate: ({facts}) => {
			if (!facts.loadBalancer) return skip('Services were not listed');
			const {services, withAddress} = facts.loadBalancer;
			if (withAddress > 0) return pass(`${withAddress} of ${services} LoadBalancer Services have an address`);
			if (services > 0) return warn(`${services} LoadBalancer Service${services > 1 ? 's have' : ' has'} no address yet`);
			return warn('no LoadBalancer Service exists yet, so support is unknown');
		},
	},
];
