/**
 * Try the wizard by hand with scripted clusters: `npx tsx test/support/demo-wizard.tsx [--many] [--fail] [--warn] [--no-kubeconfig]`.
 * Nothing is contacted; probes, check facts and the run are played back with delays.
 * --fail: a preflight failure (press ! to run anyway), a failing step and a failing post-install check. --warn: preflight warnings only.
 */
import React from 'react';
import {render} from 'ink';
import App from '../../source/app.js';
import {colorEnabled} from '../../source/core/color.js';
import {fakeServices, kubeconfig, okProbe, unreachableProbe} from './fake-services.js';

const args = process.argv.slice(2);
const many = args.includes('--many');
const names = many
	? Array.from({length: 1000}, (_, i) => `ctx-${String(i).padStart(4, '0')}`)
	: ['kind-east', 'kind-west', 'gke_prod_europe-west1_mesh-eu', 'staging-old'];
if (!many) names.push('arn:aws:eks:us-east-1:123456789012:cluster/payments');
const services = fakeServices({
	kubeconfig: args.includes('--no-kubeconfig')
		? new Error('no kubeconfig: /home/me/.kube/config does not exist and KUBECONFIG is not set')
		: kubeconfig(names, names[0]),
	probes: {
		'kind-east': okProbe('kind-east', {
			istioNamespace: true,
			istioCrds: true,
			networkLabel: 'network1',
			istiod: [{name: 'istiod-1-30', revision: '1-30', clusterId: 'east', meshId: 'mesh1', network: 'network1', ready: true}],
		}),
		'kind-west': okProbe('kind-west', {serverVersion: 'v1.34.2'}),
		'staging-old': unreachableProbe('staging-old', 'dial tcp: lookup staging.internal: no such host'),
	},
	delayMs: 700,
	steps: args.includes('--fail')
		? {
				'east/wait-address': {
					waiting: ['the LoadBalancer Service has no ingress address yet'],
					fail: {
						error: 'no external address after 5m0s: the LoadBalancer Service has no ingress address yet',
						hint: 'install a LoadBalancer controller (e.g. MetalLB) or set spec.externalIPs',
					},
				},
			}
		: {
				'east/install-gateway': {
					waiting: ['istioctl install: Processing resources for Ingress gateways. Waiting for Deployment/istio-system/istio-eastwestgateway'],
				},
				'east/wait-rollout': {waiting: ['0 out of 1 new replicas have been updated', '0 of 1 updated replicas are available']},
				'east/wait-address': {waiting: ['the LoadBalancer Service has no ingress address yet']},
				'kind-west/wait-rollout': {waiting: ['0 of 1 updated replicas are available']},
				'kind-west/wait-address': {waiting: ['the LoadBalancer Service has no ingress address yet']},
			},
	saveProfile: true,
	// "Remove a saved setup" on the first screen.
	profiles: [
		{
			name: 'demo',
			input: {
				topology: 'multi-network',
				meshId: 'mesh1',
				clusters: [
					{context: 'kind-east', name: 'east', network: 'network1', role: 'primary'},
					{context: 'kind-west', name: 'west', network: 'network2', role: 'primary'},
				],
			},
			lastApplied: {at: '2026-12-01T09:30:00.000Z', result: 'succeeded'},
		},
	],
	removeSteps: {'west/remove/label-network': {left: 'istio-system label topology.istio.io/network set by someone else (kubectl-label), not eastwest'}},
	checks: args.includes('--fail')
		? {
				preflight: {
					'kind-west': f => {
						f.namespace = {present: true, labels: {'topology.istio.io/network': 'legacy-net'}, annotations: {}};
					},
					east: f => {
						f.loadBalancer = {services: 0, withAddress: 0};
					},
				},
				'post-install': {
					east: f => {
						f.gateway!.service = {...f.gateway!.service!, status: {loadBalancer: {}}};
					},
				},
			}
		: args.includes('--warn')
			? {preflight: {east: f => (f.loadBalancer = {services: 0, withAddress: 0}), 'kind-west': f => (f.apiServerHost = '127.0.0.1')}}
			: {},
});

let code = 0;
const instance = render(<App services={services} color={colorEnabled(process.env, args.includes('--no-color'))} onExit={c => (code = c)} />, {
	exitOnCtrlC: false,
});
await instance.waitUntilExit();
process.exit(code);
