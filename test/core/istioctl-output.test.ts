import {test} from 'node:test';
import assert from 'node:assert/strict';
import {LineSplitter, parseIstioctlLine, summarizeIstioctlFailure} from '../../source/core/istioctl-output.js';

test('parses the install progress lines istioctl prints', () => {
	assert.deepEqual(parseIstioctlLine('✔ Ingress gateways installed 🛬'), {type: 'component-done', component: 'Ingress gateways'});
	assert.deepEqual(parseIstioctlLine('✔ Istio core installed ⛵️'), {type: 'component-done', component: 'Istio core'});
	assert.deepEqual(parseIstioctlLine('✔ Installation complete'), {type: 'complete'});
	assert.deepEqual(parseIstioctlLine('- Pruning removed resources'), {type: 'pruning'});
	assert.deepEqual(
		parseIstioctlLine('✘ Ingress gateways encountered an error: failed to wait for resource: resources not ready after 5m0s: context deadline exceeded'),
		{
			type: 'component-error',
			component: 'Ingress gateways',
			error: 'failed to wait for resource: resources not ready after 5m0s: context deadline exceeded',
		},
	);
	assert.deepEqual(
		parseIstioctlLine(
			'- Processing resources for Istio core, Istiod. Waiting for Deployment/istio-system/istiod, Deployment/istio-system/istio-eastwestgateway',
		),
		{
			type: 'waiting',
			components: ['Istio core', 'Istiod'],
			waitingFor: ['Deployment/istio-system/istiod', 'Deployment/istio-system/istio-eastwestgateway'],
		},
	);
	assert.deepEqual(parseIstioctlLine('- Processing resources for Ingress gateways.'), {type: 'waiting', components: ['Ingress gateways'], waitingFor: []});
	assert.equal(parseIstioctlLine('WARNING: Istio is being upgraded from 1.29.0 to 1.30.3.'), undefined);
	assert.equal(parseIstioctlLine('  Deployment/istio-system/istio-eastwestgateway (container failed to start)'), undefined);
});

test('a width-truncated waiting list drops the cut-off item', () => {
	const p = parseIstioctlLine('- Processing resources for Ingress gateways. Waiting for Deployment/istio-system/a, Deployment/istio-sy...');
	assert.deepEqual(p, {type: 'waiting', components: ['Ingress gateways'], waitingFor: ['Deployment/istio-system/a']});
});

test('the line splitter strips ANSI and keeps only the last redraw of a line', () => {
	const s = new LineSplitter();
	assert.deepEqual(s.push('\u001B[33m-\u001B[0m Processing resources for Istiod.\r\u001B[2K- Processing'), []);
	assert.deepEqual(s.push(' resources for Istiod. Waiting for Deployment/istio-system/istiod\n✔ Istiod installed 🧠\n\n'), [
		'- Processing resources for Istiod. Waiting for Deployment/istio-system/istiod',
		'✔ Istiod installed 🧠',
	]);
	assert.deepEqual(s.push('✔ Installation complete'), []);
	assert.deepEqual(s.flush(), ['✔ Installation complete']);
	// A trailing \r (cursor back before the next redraw) keeps the text before it.
	assert.deepEqual(new LineSplitter().push('- waiting\r\n'), ['- waiting']);
});

test('a readiness timeout names the waiting Deployment and its pod reason, and says injection failed for image auto', () => {
	const f = summarizeIstioctlFailure(
		[
			'- Processing resources for Ingress gateways. Waiting for Deployment/istio-system/istio-eastwestgateway',
			'✘ Ingress gateways encountered an error: failed to wait for resource: resources not ready after 5m0s: context deadline exceeded',
			'  Deployment/istio-system/istio-eastwestgateway (container failed to start: ImagePullBackOff: Back-off pulling image "auto")',
			'Error: failed to install manifests: errors occurred during operation',
		],
		1,
	);
	assert.equal(f.message, 'failed to install manifests: errors occurred during operation');
	assert.equal(f.timedOut, true);
	assert.match(f.hint ?? '', /^Deployment\/istio-system\/istio-eastwestgateway did not become ready: container failed to start: ImagePullBackOff/);
	assert.match(f.hint ?? '', /injection did not run/);
});

test('an unknown flag points at a matching istioctl; no Error line falls back to the ✘ line', () => {
	const flag = summarizeIstioctlFailure(['Error: unknown flag: --readiness-timeout'], 1);
	assert.equal(flag.message, 'unknown flag: --readiness-timeout');
	assert.match(flag.hint ?? '', /does not know --readiness-timeout: install the istioctl matching/);
	const x = summarizeIstioctlFailure(['- Processing resources for Ingress gateways.', '✘ Ingress gateways encountered an error: boom'], 1);
	assert.equal(x.message, '✘ Ingress gateways encountered an error: boom');
	assert.equal(x.hint, undefined);
	assert.equal(summarizeIstioctlFailure([], 3).message, 'istioctl exited with code 3');
});

test("istioctl's ASCII-art banner is decoration; real lines are not", async () => {
	const {isDecoration} = await import('../../source/core/istioctl-output.js');
	for (const line of [
		'        |\\',
		'       /||    \\',
		'  /     ||         \\',
		' /______||__________\\',
		'____________________',
		'  \\__       _____/',
		'',
		'   ',
	]) {
		assert.equal(isDecoration(line), true, JSON.stringify(line));
	}
	for (const line of ['✔ Installation complete', '- Processing resources for Ingress gateways.', 'Error: failed to install manifests: x']) {
		assert.equal(isDecoration(line), false, line);
	}
});
