/** Post-install checks, per cluster: what the plan should have produced. */
import {CROSS_NETWORK_GATEWAY_NAME, ISTIOD_GATEWAY_NAME, istiodVirtualServiceName} from '../manifests.js';
import {GATEWAY_NAME, NETWORK_LABEL, normalRevision, needsGateway} from '../model.js';
import {podProblems, rolloutStatus, serviceAddress} from '../rollout.js';
import {
	CLUSTER_ANNOTATION,
	CONTROL_PLANE_ANNOTATION,
	MULTICLUSTER_LABEL,
	injectionPath,
	injectorWebhookName,
	readPeers,
	remoteIstiodServiceName,
	remoteSecretName,
	remoteSecretReasons,
} from '../remote.js';
import type {Check, ClusterInput, Voice} from './types.js';
import {
	DOCS,
	installDoc,
	ALL,
	MULTI_NETWORK,
	PRIMARY_REMOTE,
	pass,
	fail,
	warn,
	skip,
	isPrimary,
	isRemote,
	primaryOf,
	istiodName,
	gatewayOf,
	peerServer,
	CREDENTIAL_FAILS,
	remoteWiring,
	gatewayServers,
	selectsEastWest,
} from './helpers.js';

export const POST_INSTALL_CHECKS: readonly Check[] = [
	{
		id: 'gateway-rolled-out',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.troubleshooting,
		claim: () => `Deployment istio-system/${GATEWAY_NAME} is rolled out`,
		hint: ({cluster}) => `kubectl --context ${cluster.context} -n istio-system describe pods -l app=${GATEWAY_NAME}`,
		evaluate: ({facts, plan}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			if (!facts.gateway.deployment) return fail('the Deployment does not exist');
			const state = rolloutStatus({...facts.gateway.deployment, metadata: {...facts.gateway.deployment.metadata, name: GATEWAY_NAME}});
			if (state.state === 'done') return pass(state.message);
			const problem = podProblems(facts.gateway.pods, normalRevision(plan.revision))[0];
			return fail(problem ? `${state.message}; ${problem.pod}: ${problem.reason}: ${problem.message}` : state.message);
		},
	},
	{
		id: 'gateway-labels',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: installDoc,
		claim: ({cluster}) => `gateway pods are labeled for network ${cluster.network} and ask for its network view`,
		hint: () => 'reinstall the gateway with eastwest (the rendered IstioOperator sets these labels and env)',
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			const d = facts.gateway.deployment;
			if (!d) return skip('the Deployment does not exist');
			const wrong = gatewayOf(facts, plan, cluster)
				.filter(r => r.object === 'Deployment')
				.map(r => `${r.field.startsWith('pod-label:') ? 'label ' : ''}${r.field.slice(r.field.indexOf(':') + 1)} is ${r.have ?? 'missing'} (want ${r.want})`);
			return wrong.length === 0 ? pass() : fail(wrong.join('; '));
		},
	},
	{
		id: 'gateway-service',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.troubleshooting,
		claim: ({cluster}) =>
			`Service istio-system/${GATEWAY_NAME} is a LoadBalancer with ports 15021, 15443, 15012, 15017 and label ${NETWORK_LABEL}=${cluster.network}`,
		hint: () => 'without the network label istiod does not treat the Service as a network gateway; reinstall the gateway with eastwest',
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			const svc = facts.gateway.service;
			if (!svc) return fail('the Service does not exist');
			const reasons = gatewayOf(facts, plan, cluster).filter(r => r.object === 'Service');
			const wrong: string[] = [];
			const ports = reasons.filter(r => r.field.startsWith('port:')).map(r => `${r.want}${r.have ? ` (have ${r.have})` : ''}`);
			if (ports.length > 0) wrong.push(`ports missing: ${ports.join(', ')}`);
			const label = reasons.find(r => r.field.startsWith('service-label:'));
			if (label) wrong.push(`label ${NETWORK_LABEL} is ${label.have ?? 'missing'}`);
			const type = svc.spec?.type ?? 'ClusterIP';
			if (reasons.some(r => r.field === 'service-type')) wrong.push(`type is ${type}, which gets no external address`);
			if (wrong.length > 0) return fail(wrong.join('; '));
			// externalIPs serve the plan too; the check only cautions that they bypass the LoadBalancer.
			return type === 'LoadBalancer' ? pass() : warn(`type ${type} with externalIPs`);
		},
	},
	{
		id: 'gateway-address',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.troubleshooting,
		claim: () => 'the gateway has an external IP address',
		hint: ({facts}) => {
			const svc = facts?.gateway?.service;
			const state = svc ? serviceAddress(svc) : undefined;
			return state?.state === 'pending'
				? state.hint
				: 'a hostname works only where istiod resolves gateway hostnames (RESOLVE_HOSTNAME_GATEWAYS); a primary-remote primary needs an IP for remotePilotAddress';
		},
		evaluate: ({facts}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			if (!facts.gateway.service) return skip('the Service does not exist');
			const state = serviceAddress(facts.gateway.service);
			if (state.state === 'pending') return fail(state.reason);
			if (state.address.kind === 'hostname') return warn(`the address is a hostname, ${state.address.value}`);
			return pass(state.address.value);
		},
	},
	{
		id: 'istiod-exposed',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan}) =>
			`Gateway ${ISTIOD_GATEWAY_NAME} passes 15012 and 15017 through and VirtualService ${istiodVirtualServiceName(plan.revision)} routes them to ${istiodName(plan)}`,
		hint: () => 'rerun eastwest apply to expose istiod; remotes cannot reach the control plane without it',
		evaluate: ({facts, plan}) => {
			if (!facts.expose) return skip('expose resources were not read');
			const {istiodGateway, istiodVirtualService} = facts.expose;
			const wrong: string[] = [];
			if (!istiodGateway) wrong.push(`Gateway ${ISTIOD_GATEWAY_NAME} is missing`);
			else {
				const servers = gatewayServers(istiodGateway);
				for (const port of [15012, 15017]) {
					if (!servers.some(s => s.port === port && s.mode === 'PASSTHROUGH')) wrong.push(`no PASSTHROUGH server on ${port}`);
				}
				if (!selectsEastWest(istiodGateway)) wrong.push('it does not select istio=eastwestgateway');
			}
			if (!istiodVirtualService) wrong.push(`VirtualService ${istiodVirtualServiceName(plan.revision)} is missing`);
			return wrong.length === 0 ? pass() : fail(wrong.join('; '));
		},
	},
	{
		id: 'services-exposed',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: MULTI_NETWORK,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: () => `Gateway ${CROSS_NETWORK_GATEWAY_NAME} passes *.local on 15443 with AUTO_PASSTHROUGH`,
		hint: () => 'rerun eastwest apply to expose services; other networks reach this cluster only through it',
		evaluate: ({facts}) => {
			if (!facts.expose) return skip('expose resources were not read');
			const gw = facts.expose.crossNetworkGateway;
			if (!gw) return fail(`Gateway ${CROSS_NETWORK_GATEWAY_NAME} is missing`);
			const ok = gatewayServers(gw).some(s => s.port === 15443 && s.mode === 'AUTO_PASSTHROUGH' && s.hosts.includes('*.local'));
			if (!ok) return fail('it has no server for *.local on 15443 with AUTO_PASSTHROUGH');
			return selectsEastWest(gw) ? pass() : fail('it does not select istio=eastwestgateway');
		},
	},
	{
		id: 'remote-secrets',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: (cluster, plan) => readPeers(plan, cluster).length > 0,
		doc: installDoc,
		claim: ({plan, cluster}) =>
			`istio-system holds a remote secret for ${readPeers(plan, cluster)
				.map(p => p.name)
				.join(', ')}, labelled ${MULTICLUSTER_LABEL}=true, annotated ${CLUSTER_ANNOTATION} and keyed by the cluster name`,
		hint: ({plan, cluster}) => {
			const peer = readPeers(plan, cluster)[0];
			return `eastwest apply creates them; by hand: istioctl create-remote-secret --context ${peer?.context ?? 'PEER'} --name ${peer?.name ?? 'PEER_NAME'} | kubectl --context ${cluster.context} apply -f - (--name must be the peer's cluster name, or istiod cannot authenticate to it)`;
		},
		evaluate: ({facts, plan, cluster, factsOf}) => {
			const secrets = facts.remoteSecrets;
			if (!secrets) return skip('remote secrets were not read');
			const problems: string[] = [];
			for (const peer of readPeers(plan, cluster)) {
				const name = remoteSecretName(peer.name);
				const server = peerServer(peer, factsOf);
				const found = secrets.byPeer[peer.name]?.secret;
				if (!found) {
					// The #1 mistake: the secret exists under another --name.
					const stray = server ? secrets.listed.find(s => s.entries.some(e => e.server === server)) : undefined;
					const key = stray?.entries.find(e => e.server === server)?.cluster;
					problems.push(
						stray
							? `no Secret ${name}; ${stray.name} opens ${server} under key ${key}, but istiod knows that cluster as ${peer.name}: the key must equal the peer's cluster name`
							: `no Secret ${name} for ${peer.name}`,
					);
					continue;
				}
				const reasons = remoteSecretReasons(found, {peer: peer.name, ...(server ? {server} : {})});
				if (reasons.length > 0) problems.push(`${name}: ${reasons.join('; ')}`);
			}
			return problems.length === 0 ? pass() : fail(problems.join('; '));
		},
	},
	{
		id: 'remote-secret-credentials',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: (cluster, plan) => readPeers(plan, cluster).length > 0,
		doc: DOCS.troubleshooting,
		claim: ({plan, cluster}) =>
			`each remote secret's identity may list and watch services, endpointslices, pods, nodes and namespaces on ${readPeers(plan, cluster)
				.map(p => p.name)
				.join(', ')}`,
		hint: input => credentialsHint(input, 'cli'),
		wizardHint: input => credentialsHint(input, 'wizard'),
		evaluate: ({facts, plan, cluster}) => {
			const secrets = facts.remoteSecrets;
			if (!secrets) return skip('remote secrets were not read');
			const failed: string[] = [];
			const unknown: string[] = [];
			let verified = 0;
			for (const peer of readPeers(plan, cluster)) {
				const v = secrets.byPeer[peer.name]?.credentials;
				if (!v) continue;
				verified += 1;
				if (CREDENTIAL_FAILS.has(v.kind)) failed.push(v.message);
				else if (v.kind !== 'ok') unknown.push(v.message);
			}
			if (verified === 0) return skip('no remote secret to verify');
			if (failed.length > 0) return fail([...failed, ...unknown].join('; '));
			if (unknown.length > 0) return warn(`${unknown.join('; ')}: this machine cannot tell, istiod inside the cluster may still reach it`);
			return pass();
		},
	},
	{
		id: 'remote-controlled-by-primary',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan}) => `istio-system names ${primaryOf(plan)?.name ?? 'the primary'} in ${CONTROL_PLANE_ANNOTATION}`,
		hint: ({plan, cluster}) =>
			`run eastwest apply, or kubectl --context ${cluster.context} annotate namespace istio-system ${CONTROL_PLANE_ANNOTATION}=${primaryOf(plan)?.name ?? '<primary>'}`,
		evaluate: input => {
			if (!input.facts.remote) return skip("the remote's wiring was not read");
			const {reasons} = remoteWiring(input, ['annotation']);
			return reasons.length === 0 ? pass(input.facts.remote.controlPlaneClusters) : fail(reasons.map(r => r.text).join('; '));
		},
	},
	{
		id: 'remote-istiod-endpoints',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan}) =>
			`Service and EndpointSlice istio-system/${remoteIstiodServiceName(plan.revision)} point at ${primaryOf(plan)?.name ?? 'the primary'}'s gateway address on 15012 and 15017`,
		hint: ({plan}) =>
			`run eastwest apply: it installs the remote profile with remotePilotAddress set to ${primaryOf(plan)?.name ?? 'the primary'}'s east-west gateway address`,
		evaluate: input => {
			if (!input.facts.remote) return skip("the remote's wiring was not read");
			const {reasons, address} = remoteWiring(input, ['service', 'endpoints']);
			if (reasons.length > 0) return fail(reasons.map(r => r.text).join('; '));
			if (!address) return skip(`${primaryOf(input.plan)?.name ?? 'the primary'}'s gateway address is unknown, so the endpoints were not compared`);
			return pass(address.value);
		},
	},
	{
		id: 'remote-injector-webhook',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan, cluster}) =>
			`MutatingWebhookConfiguration ${injectorWebhookName(plan.revision)} calls ${injectionPath(cluster.name, cluster.network)} and has a caBundle`,
		hint: ({plan}) =>
			`run eastwest apply to install the remote profile with this injection path; the caBundle is patched by ${primaryOf(plan)?.name ?? 'the primary'}'s istiod once it reads this cluster (its remote secret) — without it pod creation fails with x509: certificate signed by unknown authority`,
		evaluate: input => {
			if (!input.facts.remote) return skip("the remote's wiring was not read");
			const {reasons} = remoteWiring(input, ['webhook-path', 'webhook-ca']);
			const path = reasons.filter(r => r.field === 'webhook-path');
			if (path.length > 0) return fail(path.map(r => r.text).join('; '));
			// Patched asynchronously by the primary: a warning while it may still be coming.
			return reasons.length > 0 ? warn(reasons.map(r => r.text).join('; ')) : pass();
		},
	},
	{
		id: 'namespace-network',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: MULTI_NETWORK,
		doc: installDoc,
		claim: ({cluster}) => `istio-system carries network label ${cluster.network}`,
		hint: ({cluster}) => `kubectl --context ${cluster.context} label namespace istio-system ${NETWORK_LABEL}=${cluster.network} --overwrite`,
		evaluate: ({facts, cluster}) => {
			if (!facts.namespace) return skip('namespace istio-system was not read');
			if (!facts.namespace.present) return fail('istio-system does not exist');
			const label = facts.namespace.labels[NETWORK_LABEL];
			return label === cluster.network ? pass() : fail(`the label is ${label ?? 'missing'}`);
		},
	},
];

/** What to do about a peer's remote secret credentials: the first failed verdict's own hint, else where to look. */
function credentialsHint({facts, plan, cluster}: ClusterInput, voice: Voice): string {
	const verdicts = readPeers(plan, cluster).flatMap(p => {
		const v = facts?.remoteSecrets?.byPeer[p.name]?.credentials;
		return v ? [v] : [];
	});
	const failed = verdicts.find(v => CREDENTIAL_FAILS.has(v.kind));
	const again = voice === 'wizard' ? 'run the wizard again' : 'run eastwest apply again';
	if (failed) return failed.hint ?? `${again}: it recreates the secret with a token of the istio-reader service account`;
	const elsewhere =
		voice === 'wizard'
			? "to write another address, run the wizard again and set the peer's API server on the IDs screen"
			: 'pass --api-server CONTEXT=URL to write another address';
	return (
		verdicts.find(v => v.kind !== 'ok')?.hint ??
		`check that the secret's server answers from inside ${cluster.name}'s network (istiod dials it from there); ${elsewhere}`
	);
}
