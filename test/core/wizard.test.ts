import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {buildPlan} from '../../source/core/plan.js';
import {dns1123LabelProblem} from '../../source/core/validate.js';
import type {ProbeResult} from '../../source/core/ports.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {CheckResult} from '../../source/core/checks/index.js';
import {initialRunView, type RunView} from '../../source/core/run-progress.js';
import {
	describeChanges,
	initialWizardState,
	prefill,
	probeBlocker,
	sanitizeLabel,
	stateFromPlan,
	toPlanInput,
	wizardReducer,
	canRun,
	planKey,
	type PreflightRun,
	type ProbeState,
	type WizardAction,
	type WizardState,
} from '../../source/core/wizard.js';

const ok = (context: string, extra: Partial<ProbeResult> = {}): ProbeState => ({
	state: 'done',
	result: {context, reachable: true, auth: 'ok', serverVersion: 'v1.35.0', istioNamespace: false, istioCrds: false, istiod: [], elapsedMs: 1, ...extra},
});
const down = (context: string): ProbeState => ({
	state: 'done',
	result: {
		context,
		reachable: false,
		error: {kind: 'unreachable', message: 'connect ECONNREFUSED'},
		istioNamespace: false,
		istioCrds: false,
		istiod: [],
		elapsedMs: 1,
	},
});
const run = (state: WizardState, ...actions: WizardAction[]) => actions.reduce<WizardState>(wizardReducer, state);
const result = (status: CheckResult['status']): CheckResult => ({id: `c-${status}`, claim: `a ${status} check`, status}) as CheckResult;
/** A finished preflight of the state's current plan with these results. */
const passed = (s: WizardState, ...statuses: Array<CheckResult['status']>): PreflightRun => ({
	key: planKey(toPlanInput(s)),
	results: (statuses.length ? statuses : ['pass' as const]).map(result),
});
const finished = (s: WizardState): RunView => initialRunView(s.run!.plan);

/** Multi-network over a and b, on the Review screen after a passing preflight; istioctl not checked yet. */
function atReview(...statuses: Array<CheckResult['status']>): WizardState {
	let s = run(initialWizardState(), {type: 'choose-topology', topology: 'multi-network'});
	s = run(s, {type: 'toggle-context', context: 'a', probe: ok('a')}, {type: 'toggle-context', context: 'b', probe: ok('b')});
	s = run(s, {type: 'contexts-done', contexts: [], probes: {a: ok('a'), b: ok('b')}}, {type: 'ids-done'}, {type: 'trust-done'});
	return run(s, {type: 'preflight-done', view: passed(s, ...statuses)}, {type: 'checks-done'});
}

describe('wizard reducer', () => {
	it("the Trust choice becomes the plan's caDir and the run's istiod restart; skip clears both", () => {
		let s = run(initialWizardState(), {type: 'choose-topology', topology: 'multi-network'});
		s = run(s, {type: 'toggle-context', context: 'a', probe: ok('a')}, {type: 'toggle-context', context: 'b', probe: ok('b')});
		s = run(s, {type: 'contexts-done', contexts: [], probes: {a: ok('a'), b: ok('b')}}, {type: 'ids-done'});
		const plugged = run(s, {type: 'trust-done', caDir: '/ca', restartIstiod: true});
		assert.equal(toPlanInput(plugged).caDir, '/ca');
		const ran = run(
			plugged,
			{type: 'preflight-done', view: passed(plugged)},
			{type: 'checks-done'},
			{type: 'tools-checked', ready: true, message: 'istioctl'},
			{type: 'start-run'},
		);
		assert.equal(ran.run?.plan.input.caDir, '/ca');
		assert.equal(ran.run?.restartIstiod, true);
		assert.ok(
			ran.run?.plan.clusters.every(c => c.steps.some(st => st.kind === 'plug-ca')),
			'every cluster plugs in an intermediate',
		);
		const noRestart = run(s, {type: 'trust-done', caDir: '/ca', restartIstiod: false});
		assert.equal(
			run(
				noRestart,
				{type: 'preflight-done', view: passed(noRestart)},
				{type: 'checks-done'},
				{type: 'tools-checked', ready: true, message: 'i'},
				{type: 'start-run'},
			).run?.restartIstiod,
			undefined,
		);
		const skipped = run(plugged, {type: 'back'}, {type: 'trust-done'});
		assert.equal(skipped.caDir, undefined);
		assert.equal(skipped.restartIstiod, undefined);
		assert.equal(toPlanInput(skipped).caDir, undefined);
	});

	it('walks topology → contexts → ids → checks → review → run → done and back', () => {
		let s = run(initialWizardState(), {type: 'choose-topology', topology: 'multi-network'});
		assert.equal(s.screen, 'contexts');
		s = run(s, {type: 'toggle-context', context: 'a', probe: ok('a')}, {type: 'toggle-context', context: 'b', probe: ok('b')});
		s = run(s, {type: 'contexts-done', contexts: [], probes: {a: ok('a'), b: ok('b')}});
		assert.equal(s.screen, 'ids');
		assert.deepEqual(s.drafts, {a: {name: 'a', network: 'network1'}, b: {name: 'b', network: 'network2'}});
		s = run(s, {type: 'ids-done'});
		assert.equal(s.screen, 'trust');
		assert.equal(run(s, {type: 'back'}).screen, 'ids');
		assert.equal(run(s, {type: 'checks-done'}).screen, 'trust', 'no skipping the Trust step');
		s = run(s, {type: 'trust-done'});
		assert.equal(s.screen, 'checks');
		assert.equal(run(s, {type: 'trust-done', caDir: '/x'}).caDir, undefined, 'trust-done only acts on the Trust screen');
		assert.equal(run(s, {type: 'start-run'}).screen, 'checks', 'no run straight from the checks');
		assert.equal(run(s, {type: 'back'}).screen, 'trust');
		s = run(s, {type: 'preflight-done', view: passed(s)}, {type: 'checks-done'});
		assert.equal(s.screen, 'review');
		assert.equal(run(s, {type: 'back'}).screen, 'checks');
		assert.equal(run(s, {type: 'checks-done'}).screen, 'review', 'checks-done only acts on the checks screen');
		s = run(s, {type: 'tools-checked', ready: true, message: 'istioctl 1.30.3'}, {type: 'start-run'});
		assert.equal(s.screen, 'run');
		assert.deepEqual(s.run?.plan.input, toPlanInput(s));
		assert.equal(run(s, {type: 'back'}).screen, 'run', 'no going back during a run');
		assert.equal(run(s, {type: 'run-finished', view: finished(s)}).screen, 'done');
		assert.equal(run(initialWizardState(), {type: 'back'}).screen, 'topology');
	});

	it('refuses a failed-probe context without the override, and says why', () => {
		let s = run(initialWizardState(), {type: 'choose-topology', topology: 'primary-remote'});
		s = run(s, {type: 'toggle-context', context: 'x', probe: down('x')});
		assert.deepEqual(s.selected, []);
		assert.match(s.notice ?? '', /x cannot be selected: connect ECONNREFUSED\. Press o/);
		s = run(s, {type: 'toggle-override', context: 'x', probe: down('x')});
		assert.deepEqual(s.selected, ['x']);
		assert.deepEqual(s.overrides, ['x']);
		s = run(s, {type: 'toggle-override', context: 'x', probe: down('x')});
		assert.deepEqual(s.selected, [], 'withdrawing the override unselects it');
		s = run(s, {type: 'toggle-override', context: 'y', probe: ok('y')});
		assert.match(s.notice ?? '', /no override needed/);
		// Still probing: selectable (the probe may yet answer).
		s = run(s, {type: 'toggle-context', context: 'p', probe: {state: 'pending'}});
		assert.deepEqual(s.selected, ['p']);
	});

	it('cannot leave contexts with fewer than two, nor IDs while invalid', () => {
		let s = run(initialWizardState(), {type: 'choose-topology', topology: 'primary-remote'}, {type: 'toggle-context', context: 'a'});
		s = run(s, {type: 'contexts-done', contexts: [], probes: {}});
		assert.equal(s.screen, 'contexts');
		assert.match(s.notice ?? '', /at least 2/);
		s = run(s, {type: 'toggle-context', context: 'b'}, {type: 'contexts-done', contexts: [], probes: {}});
		assert.equal(s.screen, 'ids');
		assert.match(s.notice ?? '', /still probing a, b/);
		s = run(s, {type: 'set-field', field: {kind: 'name', context: 'b'}, value: 'a'}, {type: 'ids-done'});
		assert.equal(s.screen, 'ids');
		assert.match(s.notice ?? '', /fix the problem/);
		assert.equal(run(s, {type: 'start-run'}).screen, 'ids');
	});

	it('roles: the first pick or the one running istiod is primary; p moves it; multi-network has none', () => {
		let s = run(initialWizardState(), {type: 'choose-topology', topology: 'primary-remote'});
		s = run(
			s,
			{type: 'toggle-context', context: 'a', probe: ok('a')},
			{type: 'toggle-context', context: 'b', probe: ok('b', {istiod: [{name: 'istiod', ready: true}]})},
		);
		assert.equal(toPlanInput(s).clusters[0]!.context, 'b');
		s = run(s, {type: 'set-primary', context: 'a'});
		assert.deepEqual(
			toPlanInput(s).clusters.map(c => [c.context, c.role]),
			[
				['a', 'primary'],
				['b', 'remote'],
			],
		);
		s = run(s, {type: 'set-primary', context: 'zzz'});
		assert.match(s.notice ?? '', /select zzz/);
		const m = run(
			initialWizardState(),
			{type: 'choose-topology', topology: 'multi-network'},
			{type: 'toggle-context', context: 'a'},
			{type: 'set-primary', context: 'a'},
		);
		assert.match(m.notice ?? '', /every cluster is a primary/);
		assert.equal(toPlanInput(m).clusters[0]!.role, 'primary');
	});

	it('edits survive going back to contexts and forward again; untouched fields refill', () => {
		let s = run(
			initialWizardState(),
			{type: 'choose-topology', topology: 'multi-network'},
			{type: 'toggle-context', context: 'a'},
			{type: 'toggle-context', context: 'b'},
		);
		s = run(s, {type: 'contexts-done', contexts: [], probes: {}});
		s = run(s, {type: 'set-field', field: {kind: 'network', context: 'a'}, value: 'east-net'}, {type: 'set-field', field: {kind: 'meshId'}, value: 'm2'});
		s = run(s, {type: 'back'}, {type: 'contexts-done', contexts: [], probes: {b: ok('b', {networkLabel: 'west-net'})}});
		assert.equal(s.meshId, 'm2');
		assert.equal(s.drafts.a!.network, 'east-net');
		assert.equal(s.drafts.b!.network, 'west-net');
	});
});

describe('stateFromPlan', () => {
	it('opens a saved plan at its preflight checks; going back shows its IDs; an invalid one opens at IDs', () => {
		const input = {
			topology: 'primary-remote' as const,
			meshId: 'm',
			revision: 'canary',
			clusters: [
				{context: 'r', name: 'rr', network: 'n', role: 'remote' as const},
				{context: 'p', name: 'pp', network: 'n', role: 'primary' as const},
			],
		};
		const s = stateFromPlan(input);
		assert.equal(s.screen, 'checks');
		const back = toPlanInput(s);
		assert.equal(back.clusters[0]!.context, 'p', 'primary first');
		assert.deepEqual(new Set(back.clusters.map(c => JSON.stringify(c))), new Set(input.clusters.map(c => JSON.stringify(c))));
		assert.equal(back.revision, 'canary');
		// Going back to contexts and forward keeps every saved value.
		const again = run(s, {type: 'back'}, {type: 'back'}, {type: 'back'}, {type: 'contexts-done', contexts: [], probes: {}});
		assert.deepEqual(toPlanInput(again), back);
		assert.equal(stateFromPlan({...input, meshId: ''}).screen, 'ids');
	});
});

describe('prefill', () => {
	it('takes istiod cluster ID, mesh ID, network and revision, and the istio-system label', () => {
		const probes = {
			east: ok('east', {
				networkLabel: 'net-e',
				istiod: [{name: 'istiod-canary', revision: 'canary', clusterId: 'cluster-east', meshId: 'prod', network: 'ignored', ready: true}],
			}),
			west: ok('west', {istiod: [{name: 'istiod', clusterId: 'Kubernetes', network: 'net-w', ready: true}]}),
		};
		const p = prefill('multi-network', ['east', 'west'], probes, undefined);
		assert.equal(p.meshId, 'prod');
		assert.equal(p.revision, 'canary');
		assert.deepEqual(p.drafts.east, {name: 'cluster-east', network: 'net-e'});
		assert.deepEqual(p.drafts.west, {name: 'west', network: 'net-w'}, '"Kubernetes" is never taken as a name');
	});

	it('falls back to sanitised context names, distinct networks when multi-network, one network otherwise', () => {
		const ctx = ['arn:aws:eks:us-east-1:1:cluster/Pay_Ments', 'gke_p_z_Mesh.EU'];
		const multi = prefill('primary-remote-multi-network', ctx, {}, ctx[0]);
		assert.deepEqual(Object.values(multi.drafts), [
			{name: 'pay-ments', network: 'network1'},
			{name: 'gke-p-z-mesh-eu', network: 'network2'},
		]);
		assert.equal(multi.meshId, 'mesh1');
		assert.equal(multi.revision, '');
		const flat = prefill('primary-remote', ['a', 'b'], {b: ok('b', {networkLabel: 'shared'})}, 'b');
		assert.deepEqual(
			Object.values(flat.drafts).map(d => d.network),
			['shared', 'shared'],
		);
	});

	it('sanitizeLabel always yields a DNS-1123 label', () => {
		assert.equal(sanitizeLabel('--Weird__Name--'), 'weird-name');
		assert.equal(sanitizeLabel('###'), 'cluster');
		assert.equal(sanitizeLabel('x'.repeat(80)).length, 63);
	});

	it('probeBlocker: unreachable and refused block; pending and reachable do not', () => {
		assert.equal(probeBlocker(undefined), undefined);
		assert.equal(probeBlocker({state: 'pending'}), undefined);
		assert.equal(probeBlocker(ok('a')), undefined);
		assert.equal(probeBlocker(down('a')), 'connect ECONNREFUSED');
		assert.equal(probeBlocker(ok('a', {auth: 'forbidden', error: undefined})), 'requests are forbidden');
	});
});

describe('inline validation hints', () => {
	it('suggests the lowercase form only when that form is valid', () => {
		assert.match(dns1123LabelProblem('West', 'cluster name') ?? '', /try "west"/);
		assert.doesNotMatch(dns1123LabelProblem('West_1', 'cluster name') ?? '', /try/);
		assert.match(dns1123LabelProblem('West_1', 'cluster name') ?? '', /use lowercase letters, digits and '-'/);
	});
});

describe('describeChanges', () => {
	it('names what changes on which context', () => {
		const plan = buildPlan({
			topology: 'primary-remote-multi-network',
			meshId: 'm',
			clusters: [
				{context: 'ctx-a', name: 'a', network: 'n1', role: 'primary'},
				{context: 'ctx-b', name: 'b', network: 'n2', role: 'remote'},
			],
		});
		const d = describeChanges(plan);
		assert.equal(d[0]!.context, 'ctx-a');
		assert.match(d[0]!.changes[0]!, /topology\.istio\.io\/network=n1/);
		assert.match(d[0]!.changes.join('\n'), /Gateway istiod-gateway/);
		assert.match(d[0]!.changes.join('\n'), /Gateway cross-network-gateway/);
		assert.match(d[0]!.changes.join('\n'), /Secret istio-remote-secret-b in istio-system \(made by istioctl create-remote-secret --context ctx-b/);
		assert.match(d[1]!.changes[0]!, /network=n2/);
		assert.match(d[1]!.changes[1]!, /controlPlaneClusters=a/);
		assert.match(d[1]!.changes[2]!, /istioctl install the remote control plane \(IstioOperator "eastwest-remote"/);
		assert.match(d[1]!.changes[3]!, /istioctl install the east-west gateway/);
	});

	it('names every changing step kind, the shared CA too, and whether istiod restarts', () => {
		const input: MeshPlanInput = {
			topology: 'multi-network',
			meshId: 'm',
			caDir: '/ca',
			clusters: [
				{context: 'ctx-a', name: 'a', network: 'n1', role: 'primary'},
				{context: 'ctx-b', name: 'b', network: 'n2', role: 'primary'},
			],
		};
		const plan = buildPlan(input);
		for (const restartIstiod of [false, true]) {
			const d = describeChanges(plan, {restartIstiod});
			for (const [i, c] of d.entries()) {
				const text = c.changes.join('\n');
				assert.match(text, new RegExp(`Secret istio-system/cacerts: an intermediate CA for ${c.cluster} from the shared root in /ca`));
				assert.match(text, restartIstiod ? /restart istiod/ : /istiod is not restarted/);
				// One line per step that changes something: every step but the waits.
				const changing = plan.clusters[i]!.steps.filter(s => !s.kind.startsWith('wait-')).length;
				assert.equal(c.changes.length, changing + 1, 'plug-ca adds its istiod line');
			}
		}
		assert.doesNotMatch(
			describeChanges(buildPlan({topology: input.topology, meshId: input.meshId, clusters: input.clusters}))
				.map(c => c.changes.join('\n'))
				.join('\n'),
			/cacerts/,
		);
	});
});

describe('can the run start (canRun) and a run asked for while istioctl is checked', () => {
	it('needs Review, a preflight of this very plan, no unconfirmed failure, and a usable istioctl', () => {
		let s = atReview();
		assert.deepEqual(canRun(s), {state: 'waiting', reason: 'still checking istioctl'});
		s = run(s, {type: 'tools-checked', ready: true, message: 'istioctl 1.30.3'});
		assert.deepEqual(canRun(s), {state: 'ready'});
		assert.equal(canRun(run(s, {type: 'back'})).state, 'blocked', 'only from Review');
		assert.deepEqual(canRun(run(s, {type: 'tools-checked', ready: false, message: 'istioctl not found on PATH'})), {
			state: 'blocked',
			reason: 'cannot run: istioctl not found on PATH',
		});
		// The answers changed since the preflight (a different mesh ID): that preflight does not judge this plan.
		const edited = {...s, meshId: 'other'};
		const gate = canRun(edited);
		assert.match(gate.state === 'blocked' ? gate.reason : '', /preflight checks have not run for this plan/);
		const failing = run(atReview('pass', 'fail'), {type: 'tools-checked', ready: true, message: 'istioctl'});
		assert.deepEqual(canRun(failing), {state: 'blocked', reason: '1 preflight check failed: press esc to see them'});
		assert.equal(run(failing, {type: 'start-run'}).screen, 'review');
	});

	it('a failed preflight runs only after the override, which a new preflight takes back', () => {
		let s = run(initialWizardState(), {type: 'choose-topology', topology: 'multi-network'});
		s = run(s, {type: 'toggle-context', context: 'a', probe: ok('a')}, {type: 'toggle-context', context: 'b', probe: ok('b')});
		s = run(s, {type: 'contexts-done', contexts: [], probes: {a: ok('a'), b: ok('b')}}, {type: 'ids-done'}, {type: 'trust-done'});
		const view = passed(s, 'fail');
		s = run(s, {type: 'preflight-done', view}, {type: 'checks-done', override: true}, {type: 'tools-checked', ready: true, message: 'istioctl'});
		assert.equal(canRun(s).state, 'ready');
		assert.equal(run(s, {type: 'back'}, {type: 'preflight-done', view}).preflight?.overridden, true, 'the same run keeps the override');
		assert.equal(run(s, {type: 'back'}, {type: 'preflight-done', view: passed(s, 'fail')}).preflight?.overridden, false, 'a new run takes it back');
	});

	it('start-run while istioctl is checked remembers the intent; the run starts when the check passes', () => {
		let s = run(atReview(), {type: 'start-run'});
		assert.equal(s.screen, 'review');
		assert.equal(s.runAsked, true);
		assert.equal(s.run, undefined);
		s = run(s, {type: 'tools-checked', ready: true, message: 'istioctl 1.31-dev'});
		assert.equal(s.screen, 'run');
		assert.equal(s.runAsked, false);
		assert.deepEqual(s.run?.plan.input, toPlanInput(s));
	});

	it('a failed istioctl check ends the intent: no run, and the gate says why', () => {
		let s = run(atReview(), {type: 'start-run'}, {type: 'tools-checked', ready: false, message: 'istioctl not found on PATH'});
		assert.equal(s.screen, 'review');
		assert.equal(s.runAsked, false);
		assert.deepEqual(canRun(s), {state: 'blocked', reason: 'cannot run: istioctl not found on PATH'});
		// A later check that passes does not start a run nobody asked for any more.
		s = run(s, {type: 'tools-checking'}, {type: 'tools-checked', ready: true, message: 'istioctl'});
		assert.equal(s.screen, 'review');
	});

	it('n/esc or leaving Review takes the intent back', () => {
		const asked = run(atReview(), {type: 'start-run'});
		assert.equal(run(asked, {type: 'withdraw-run'}, {type: 'tools-checked', ready: true, message: 'x'}).screen, 'review');
		assert.equal(run(asked, {type: 'back'}).runAsked, false);
	});

	it('a run of an unedited saved profile is recorded on it; an edited one is not', () => {
		const input = {
			topology: 'multi-network' as const,
			meshId: 'saved',
			clusters: [
				{context: 'east', name: 'e', network: 'n1', role: 'primary' as const},
				{context: 'west', name: 'w', network: 'n2', role: 'primary' as const},
			],
		};
		const atReviewOf = (s: WizardState) =>
			run(s, {type: 'preflight-done', view: passed(s)}, {type: 'checks-done'}, {type: 'tools-checked', ready: true, message: 'istioctl'});
		const opened = stateFromPlan(input, 'prod');
		assert.equal(run(atReviewOf(opened), {type: 'start-run'}).run?.profile, 'prod');
		const edited = run(
			opened,
			{type: 'back'},
			{type: 'back'},
			{type: 'set-field', field: {kind: 'meshId'}, value: 'edited'},
			{type: 'ids-done'},
			{type: 'trust-done'},
		);
		assert.equal(run(atReviewOf(edited), {type: 'start-run'}).run?.profile, undefined);
		const saved = run(atReviewOf(edited), {type: 'profile-saved', name: 'new'}, {type: 'start-run'});
		assert.equal(saved.run?.profile, 'new');
	});

	it('background events keep the notice the last key left; keys clear it', () => {
		const s = {...atReview(), notice: 'why the last key did nothing'};
		assert.equal(run(s, {type: 'tools-checked', ready: true, message: 'x'}).notice, 'why the last key did nothing');
		assert.equal(run(s, {type: 'clear-notice'}).notice, undefined);
	});

	it('cluster access: a kubeconfig without contexts is missing, with where it looked', () => {
		const s = run(initialWizardState(), {type: 'kubeconfig-read', info: {files: ['/tmp/empty'], contexts: [], warnings: []}});
		assert.deepEqual(s.access, {state: 'missing', reason: 'the kubeconfig (/tmp/empty) has no contexts'});
		assert.equal(run(initialWizardState(), {type: 'services-failed', reason: 'boom'}).access.state, 'broken');
	});
});
