import React, {useEffect, useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import {toPlanInput, type WizardState} from '../../core/wizard.js';
import {shortFingerprint, trustVerdict, type ClusterTrust} from '../../core/trust.js';
import {firstLine} from '../../core/text.js';
import {KeyHints} from '../components/KeyHints.js';
import {Notice} from '../components/Notice.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTicker} from '../hooks/useTicker.js';
import {useServices} from '../services.js';
import {useTheme} from '../theme.js';

export const DEFAULT_CA_DIR = './eastwest-ca';
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

type Option = 'nothing' | 'generate' | 'own' | 'skip';
const OPTION_TEXT: Record<Option, string> = {
	nothing: 'Nothing to do: the clusters already share one root',
	generate: 'Generate a new root CA, and an intermediate per cluster',
	own: 'Use my root (a directory with root-cert.pem and root-key.pem)',
	skip: 'Skip: leave each cluster on its own CA',
};
const SKIP_WARNING = 'without one shared root, cross-cluster mTLS will fail (CERTIFICATE_VERIFY_FAILED)';

export interface TrustScreenProps {
	state: WizardState;
	/** The choice: plug in intermediates of the root in caDir (and restart istiod), or nothing (caDir undefined). */
	onDone(choice: {caDir?: string; restartIstiod?: boolean}): void;
}

type Reading = {state: 'reading'; done: Record<string, ClusterTrust>} | {state: 'read'; trusts: ClusterTrust[]};
type Phase =
	| {kind: 'choose'}
	| {kind: 'dir'; option: 'generate' | 'own'}
	| {kind: 'working'; option: 'generate' | 'own'; dir: string}
	| {kind: 'restart'; dir: string; root: string};

/** Trust: what each cluster's istiod signs with, and a choice of one shared root before anything changes. */
export function TrustScreen({state, onDone}: TrustScreenProps) {
	const theme = useTheme();
	const services = useServices();
	const input = useMemo(() => toPlanInput(state), [state]);
	const [generation, setGeneration] = useState(0);
	const [reading, setReading] = useState<Reading>({state: 'reading', done: {}});
	const [phase, setPhase] = useState<Phase>({kind: 'choose'});
	const [cursor, setCursor] = useState<number | undefined>();
	const [dir, setDir] = useState(state.caDir ?? DEFAULT_CA_DIR);
	const [notice, setNotice] = useState<string | undefined>();
	const tick = useTicker(reading.state === 'reading' || phase.kind === 'working');

	useEffect(() => {
		const controller = new AbortController();
		const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(services?.checksTimeoutMs ?? 30_000)]);
		setReading({state: 'reading', done: {}});
		const read = async (cluster: (typeof input.clusters)[number]): Promise<ClusterTrust> => {
			const base = {cluster: cluster.name, context: cluster.context, cacerts: false};
			if (!services?.readTrust) return {...base, reachable: false, error: 'reading trust is not available'};
			try {
				return await services.readTrust({plan: input, cluster, signal});
			} catch (error) {
				return {...base, reachable: false, error: signal.aborted && !controller.signal.aborted ? 'no answer before the deadline' : firstLine(error)};
			}
		};
		void Promise.all(
			input.clusters.map(async c => {
				const t = await read(c);
				if (!controller.signal.aborted) setReading(r => (r.state === 'reading' ? {state: 'reading', done: {...r.done, [c.name]: t}} : r));
				return t;
			}),
		).then(trusts => {
			if (!controller.signal.aborted) setReading({state: 'read', trusts});
		});
		return () => controller.abort();
		// Read again only when asked (r) or the clusters change.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [generation, services, JSON.stringify(input.clusters)]);

	const verdict = reading.state === 'read' ? trustVerdict(reading.trusts) : undefined;
	const options: Option[] = verdict?.shared ? ['nothing', 'generate', 'own', 'skip'] : ['generate', 'own', 'skip'];
	// The natural choice first: nothing when shared, the root already chosen (a saved plan), else generate.
	const preferred: Option = verdict?.shared ? 'nothing' : state.caDir !== undefined ? 'own' : 'generate';
	const index = Math.min(cursor ?? options.indexOf(preferred), options.length - 1);
	const option = options[index]!;

	const submitDir = (which: 'generate' | 'own') => {
		const target = dir.trim();
		if (target === '') {
			setNotice('type the directory of the root CA');
			return;
		}
		const act = which === 'generate' ? services?.createRoot : services?.openRoot;
		if (!act) {
			setNotice('root CAs are not available in this build');
			return;
		}
		setNotice(undefined);
		setPhase({kind: 'working', option: which, dir: target});
		act(target).then(
			({root}) => setPhase({kind: 'restart', dir: target, root}),
			(error: unknown) => {
				setNotice(firstLine(error));
				setPhase({kind: 'dir', option: which});
			},
		);
	};

	const scope =
		reading.state === 'reading'
			? 'trustReading'
			: phase.kind === 'choose'
				? 'trust'
				: phase.kind === 'dir'
					? 'trustDir'
					: phase.kind === 'working'
						? 'trustWorking'
						: 'trustRestart';
	useCommands(
		scope,
		phase.kind === 'dir'
			? {
					next: () => submitDir(phase.option),
					erase: () => setDir(d => d.slice(0, -1)),
					clearField: () => setDir(''),
					back: () => {
						setNotice(undefined);
						setPhase({kind: 'choose'});
					},
				}
			: phase.kind === 'working'
				? {}
				: phase.kind === 'restart'
					? {confirm: () => onDone({caDir: phase.dir, restartIstiod: true}), deny: () => onDone({caDir: phase.dir, restartIstiod: false})}
					: reading.state === 'reading'
						? {}
						: {
								up: () => setCursor(Math.max(0, index - 1)),
								down: () => setCursor(Math.min(options.length - 1, index + 1)),
								rerun: () => {
									setNotice(undefined);
									setGeneration(g => g + 1);
								},
								next: () => {
									if (option === 'nothing' || option === 'skip') onDone({});
									else {
										setNotice(undefined);
										setPhase({kind: 'dir', option});
									}
								},
							},
		phase.kind === 'dir' ? {textEntry: true, onText: text => setDir(d => d + text)} : {},
	);

	const clusters = input.clusters.map(c => ({
		spec: c,
		trust: reading.state === 'read' ? reading.trusts.find(t => t.cluster === c.name) : reading.done[c.name],
	}));
	return (
		<Box flexDirection="column">
			<Text bold>
				Trust: one root CA for every cluster <Text color={theme.tone('muted')}>(nothing has changed yet)</Text>
			</Text>
			<Box marginTop={1} flexDirection="column">
				{clusters.map(({spec, trust}) => (
					<ClusterTrustLines key={spec.context} name={spec.name} trust={trust} spinner={SPINNER[tick % SPINNER.length]!} />
				))}
			</Box>
			{verdict ? (
				<Text bold color={theme.tone(verdict.shared ? 'ok' : 'warn')} wrap="wrap">
					{verdict.shared
						? `${theme.symbols.ok} The clusters already share one root: ${verdict.root}`
						: `${theme.symbols.warn} The clusters do not share one root: ${verdict.reason}`}
				</Text>
			) : null}
			{reading.state === 'read' && phase.kind === 'choose' ? (
				<Box marginTop={1} flexDirection="column">
					{options.map((o, i) => (
						<Text key={o} color={i === index ? theme.tone('accent') : undefined}>
							{i === index ? theme.symbols.pointer : ' '} {OPTION_TEXT[o]}
						</Text>
					))}
					{option === 'skip' ? (
						<Text color={theme.tone('warn')} wrap="wrap">
							{theme.symbols.warn} {SKIP_WARNING}
						</Text>
					) : null}
				</Box>
			) : null}
			{phase.kind === 'dir' ? (
				<Box marginTop={1} flexDirection="column">
					<Text>
						{phase.option === 'generate'
							? 'Write the new root (root-cert.pem, root-key.pem mode 0600) to:'
							: 'The directory holding root-cert.pem and root-key.pem:'}
					</Text>
					<Text color={theme.tone('accent')} underline wrap="truncate-start">
						{theme.symbols.pointer} {dir}▏
					</Text>
				</Box>
			) : null}
			{phase.kind === 'working' ? (
				<Box marginTop={1}>
					<Text color={theme.tone('accent')} wrap="wrap">
						{SPINNER[tick % SPINNER.length]}{' '}
						{phase.option === 'generate' ? `Generating an RSA 4096 root key for ${phase.dir} (this takes a few seconds)…` : `Reading the root in ${phase.dir}…`}
					</Text>
				</Box>
			) : null}
			{phase.kind === 'restart' ? (
				<Box marginTop={1} flexDirection="column">
					<Text color={theme.tone('ok')} wrap="wrap">
						{theme.symbols.ok} Root {phase.root} in {phase.dir}: the run plugs an intermediate of it into each cluster (Secret istio-system/cacerts).
					</Text>
					<Text wrap="wrap">A running istiod does not pick up a new cacerts by itself; workloads keep their old certificates until they restart.</Text>
					<Text bold color={theme.tone('warn')}>
						Restart istiod after plugging in the CA? (y/N)
					</Text>
				</Box>
			) : null}
			<Notice text={notice} />
			<KeyHints scope={scope} textEntry={phase.kind === 'dir'} />
		</Box>
	);
}

function ClusterTrustLines({name, trust, spinner}: {name: string; trust: ClusterTrust | undefined; spinner: string}) {
	const theme = useTheme();
	if (!trust) {
		return (
			<Text>
				<Text color={theme.tone('accent')}>{spinner}</Text> {name}: reading cacerts, istio-ca-secret, istio-ca-root-cert…
			</Text>
		);
	}
	if (!trust.reachable) {
		return (
			<Text color={theme.tone('error')} wrap="truncate-end">
				{theme.symbols.error} {name}: {trust.error ?? 'could not be read'}
			</Text>
		);
	}
	const cacerts = trust.cacerts
		? trust.rootFingerprint
			? `cacerts root ${trust.rootSubject ?? '?'} (${shortFingerprint(trust.rootFingerprint)})`
			: `cacerts unreadable${trust.problem ? `: ${trust.problem}` : ''}`
		: 'no cacerts';
	const selfSigned =
		trust.istioCaSecret === undefined ? 'istio-ca-secret not read' : trust.istioCaSecret ? 'self-signed istio-ca-secret' : 'no istio-ca-secret';
	const configMap =
		trust.caRootCertSha256 === undefined
			? 'istio-ca-root-cert not read'
			: trust.caRootCertSha256 === null
				? 'no istio-ca-root-cert'
				: `istio-ca-root-cert sha256 ${shortFingerprint(trust.caRootCertSha256)}`;
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end">
				<Text bold>{name}</Text>: {cacerts}
			</Text>
			<Text color={theme.tone('muted')} wrap="truncate-end">
				{'  '}
				{selfSigned} · {configMap}
			</Text>
		</Box>
	);
}
