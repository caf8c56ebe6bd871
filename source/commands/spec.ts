/**
 * Every command and flag of the CLI, declared once: name, summary, usage, flags (value kind, fixed
 * choices, plan flags) and the help prose. The parsers (args.ts parserOptions), the help text (help.ts),
 * the completion candidates (complete.ts) and cli.tsx's registry are derived from it. Pure data, light on
 * purpose: `--help` and the shells' Tab load this module and nothing heavy.
 */
import {DATAPLANES, TOPOLOGIES} from '../core/model.js';
import {EXPOSE_CHOICES, NETWORKING_API_VERSIONS} from '../core/manifests.js';
import {DEFAULT_PARALLEL} from '../core/slots.js';
import {CONTROL_PLANE_PROFILES} from '../core/control-plane.js';

/**
 * What a flag's value is: free text, a number, a duration (30s, 2m, 1m30s), a file or directory, a saved
 * profile's name, a kubeconfig context, or one of fixed choices. A flag without a value is a switch.
 */
export type FlagValue = 'text' | 'number' | 'duration' | 'file' | 'profile' | 'context' | readonly string[];

export interface FlagSpec {
	/** One-letter alias (`-o`). */
	readonly short?: string;
	/** Absent for a boolean flag. */
	readonly value?: FlagValue;
	/** The value as the help shows it: `--timeout D`. */
	readonly arg?: string;
	/** May be given more than once. */
	readonly multiple?: boolean;
	/** For fixed choices: the one taken when the flag is absent. */
	readonly default?: string;
	/** One of the flags that describe a mesh plan (--topology, --mesh, --cluster, --revision, --api-server). */
	readonly plan?: boolean;
	/** A global flag that completion offers only before a command (--version). */
	readonly beforeCommand?: boolean;
	/** The help's description, one string per line. */
	readonly help: readonly string[];
}

export type Flags = Readonly<Record<string, FlagSpec>>;

/** A positional argument: its name in messages and usage, and what completion offers for it. */
export interface ArgSpec {
	readonly name: string;
	readonly value?: FlagValue;
}

export interface SubcommandSpec {
	readonly flags: Flags;
	readonly args: readonly ArgSpec[];
}

export interface CommandSpec {
	/** The main help's line(s) for the command. */
	readonly summary: readonly string[];
	/** What follows `Usage: ` (continuation lines included). */
	readonly usage: string;
	/** The prose between the usage and the flags. */
	readonly about: string;
	/** Every flag of the command (of all its subcommands), in the order its help lists them. */
	readonly flags: Flags;
	/** Subcommands (`profiles list`, `ca create`), each with the flags it takes. */
	readonly subcommands?: Readonly<Record<string, SubcommandSpec>>;
	readonly args?: readonly ArgSpec[];
	/** The prose after the flags. */
	readonly after?: string;
	/** The lines under `Examples:`. */
	readonly examples?: string;
	/** Answered by cli.tsx itself, not by a command module (`help`). */
	readonly builtin?: boolean;
}

export const OUTPUT_FORMATS = ['text', 'json'] as const;
export const PHASES = ['preflight', 'post-install', 'all'] as const;
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** "a, b or c". */
const either = (choices: readonly string[]) => `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;

/** -o / --output: text (the default) or json; `what` says what the json holds or when it applies. */
const output = <const H extends readonly string[]>(help: H) => ({short: 'o', value: OUTPUT_FORMATS, default: 'text', arg: 'FORMAT', help}) as const;

const timeout = <const H extends readonly string[]>(help: H) => ({value: 'duration', arg: 'D', help}) as const;

const profile = <const H extends readonly string[]>(help: H) => ({value: 'profile', arg: 'NAME', help}) as const;

/** The flags that describe a mesh plan: apply, remove, check and profiles save take them. */
export const PLAN_FLAGS = {
	topology: {value: TOPOLOGIES, arg: 'T', plan: true, help: [either(TOPOLOGIES)]},
	mesh: {value: 'text', arg: 'ID', plan: true, help: ['mesh ID every primary shares']},
	cluster: {
		value: 'text',
		arg: 'SPEC',
		multiple: true,
		plan: true,
		help: ['CONTEXT=NAME:NETWORK[:primary|remote], once per cluster; the role', 'defaults to primary for multi-network and is required otherwise'],
	},
	revision: {value: 'text', arg: 'R', plan: true, help: ['control-plane revision (default: the default revision)']},
	'control-plane': {
		value: CONTROL_PLANE_PROFILES,
		arg: 'P',
		plan: true,
		help: [
			"make every primary's control plane multicluster-ready first: install Istio",
			'with profile P (default as the docs, or minimal) where no istiod runs',
		],
	},
	'control-plane-iop': {
		value: 'text',
		arg: 'CONTEXT=FILE',
		multiple: true,
		plan: true,
		help: [
			'your IstioOperator for CONTEXT: an istiod whose values differ from the plan',
			'is retrofitted with it, overlaid with the multicluster values; repeatable',
		],
	},
	dataplane: {
		value: DATAPLANES,
		arg: 'MODE',
		plan: true,
		help: [
			'sidecar (default) or ambient: ambient applies the istio-east-west Gateway',
			'(Gateway API) instead of installing the sidecar gateway; multi-network only',
		],
	},
	'global-service': {
		value: 'text',
		arg: 'NS/NAME',
		multiple: true,
		plan: true,
		help: ['ambient: label this Service (NS/* every Service of NS) istio.io/global=true', 'in every cluster, so every cluster reaches it; repeatable'],
	},
	'api-server': {
		value: 'text',
		arg: 'CONTEXT=URL',
		multiple: true,
		plan: true,
		help: [
			"the API server address other clusters' istiod use to read CONTEXT (written",
			"into its remote secrets); default the kubeconfig's server; repeatable",
		],
	},
} as const satisfies Flags;

/** Which tool installs the components, and where Helm finds its charts (apply, remove, manifests). */
const INSTALLER_FLAGS = {
	installer: {
		value: ['istioctl', 'helm'],
		arg: 'TOOL',
		help: ["install with istioctl or helm (default: the tool that manages the cluster's istiod:", "helm when it carries Helm's release annotations)"],
	},
	helm: {value: 'file', arg: 'PATH', help: ['helm binary (default: helm on PATH)']},
	charts: {value: 'file', arg: 'DIR', help: ["Istio's charts from a directory (DIR/gateway, DIR/base, DIR/istiod; air-gapped)"]},
	'helm-repo': {value: 'text', arg: 'NAME', help: ['the chart repository added as in the docs (default istio)']},
	'chart-version': {value: 'text', arg: 'V', help: ["the charts' version (default: the version of the cluster's istiod)"]},
} as const satisfies Flags;

/** The plan flags as a usage line writes them. */
const PLAN_USAGE = '--topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:primary|remote] ...';

/** Flags every command accepts. */
export const GLOBAL_FLAGS = {
	kubeconfig: {value: 'file', arg: 'PATH', help: ['kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)']},
	istioctl: {value: 'file', arg: 'PATH', help: ['istioctl binary (default: istioctl on PATH)']},
	'no-color': {help: ['plain output (NO_COLOR is honoured too)']},
	verbose: {short: 'v', help: ['each Kubernetes request (verb, path, status, ms) and istioctl command line', 'to stderr, tokens and keys redacted']},
	help: {short: 'h', help: ['show help']},
	version: {beforeCommand: true, help: ['print the version']},
} as const satisfies Flags;

/** `eastwest` with no command: the wizard. */
export const WIZARD = {
	summary: [
		'guided wizard: topology → contexts → IDs → trust → checks → review → run (needs a terminal);',
		'--profile NAME checks a saved plan, then opens it at Review',
	],
	flags: {profile: profile(['check a saved plan, then open it at Review'])},
} as const;

const PROFILE_FLAGS = {
	...PLAN_FLAGS,
	ca: {
		value: 'file',
		arg: 'DIR',
		help: ['the root CA whose intermediates apply plugs into every cluster: the directory', 'is checked and stored as a path; the key stays in its file'],
	},
	overwrite: {help: ['replace an existing profile of that name']},
	parallel: {value: 'number', arg: 'N', help: ["the --parallel 'eastwest apply --profile NAME' uses when given none"]},
	output: output(['text (default) or json, for list and show']),
} as const satisfies Flags;

const {output: profilesOutput, ...PROFILE_SAVE_FLAGS} = PROFILE_FLAGS;

const CA_CREATE_FLAGS = {
	out: {value: 'file', arg: 'DIR', help: ['directory to write the root to (required)']},
	output: output(['text (default) or json: the paths, subject, fingerprint and expiry (never the key)']),
} as const satisfies Flags;

/** The commands, in the order the main help and completion list them. */
export const COMMAND_SPECS = {
	manifests: {
		summary: ['print the YAML eastwest installs and applies (pipe it to istioctl/kubectl)'],
		usage: `eastwest manifests --network N [--revision R] [--expose istiod|services|all|none] [--api-version v1|v1beta1] [--dataplane sidecar|ambient]
       eastwest manifests --profile NAME [--api-version v1|v1beta1]`,
		about: 'Print the east-west gateway IstioOperator and the expose resources as multi-document YAML.',
		flags: {
			network: {value: 'text', arg: 'N', help: ['network ID of the cluster the gateway serves (required)']},
			revision: PLAN_FLAGS.revision,
			expose: {
				value: EXPOSE_CHOICES,
				default: 'none',
				arg: 'WHAT',
				help: [
					'istiod: Gateway+VirtualService for remotes to reach istiod',
					'services: cross-network Gateway (15443, AUTO_PASSTHROUGH)',
					'all: both · none: only the gateway (default)',
				],
			},
			'api-version': {value: NETWORKING_API_VERSIONS, default: 'v1', arg: 'V', help: ['networking.istio.io version: v1 (Istio ≥ 1.22, default) or v1beta1']},
			dataplane: {
				value: DATAPLANES,
				arg: 'MODE',
				help: [
					'sidecar (default): the IstioOperator above; ambient: the istio-east-west',
					'Gateway (gateway.networking.k8s.io; --api-version v1beta1 before Istio 1.29)',
				],
			},
			profile: profile(["every cluster's manifests of a saved profile, each under a comment naming it"]),
		},
		examples: `  eastwest manifests --network network1 | istioctl install -y -f -
  eastwest manifests --network network1 --expose all`,
	},
	apply: {
		summary: ['headless run of a plan: install the gateways, wait for them, expose istiod/services'],
		usage: `eastwest apply ${PLAN_USAGE} [flags]
       eastwest apply --profile NAME [flags]`,
		about: `Run the plan without the wizard: per cluster, label istio-system with its network (multi-network
topologies), install the east-west gateway with istioctl, wait for it to roll out and get an external
address, then expose istiod (primary-remote primary) and/or services (multi-network primaries).
Then wire the mesh: every cluster that runs istiod gets a remote secret for each cluster it reads
(istioctl create-remote-secret, once per cluster, applied server-side; its credentials are checked),
and each remote is annotated with its primary and gets the remote control plane (istioctl install,
profile remote, pointed at the primary's gateway) before the primary reads it and before its own gateway.
Clusters that do not depend on each other run in parallel. A re-run reports what is unchanged.
Before anything changes, istioctl must answer 'version' (else exit 2) and the preflight checks of
'eastwest check --phase preflight' must pass: a failed check stops the run with exit 1 and nothing
changed anywhere; warnings are printed and do not block. --dry-run runs the checks too.`,
		flags: {
			profile: profile(['run a saved plan (eastwest profiles save); records how the run ended']),
			...PLAN_FLAGS,
			'dry-run': {help: ['server-side dry run and istioctl --dry-run: nothing changes']},
			yes: {short: 'y', help: ['do not ask for confirmation (required without a terminal)']},
			timeout: timeout([
				"deadline for every wait and istioctl's --readiness-timeout (default 5m);",
				"each cluster's preflight reads get at most 30s, or D when shorter",
			]),
			output: output(['text (one line per event, default) or json (one document at the end)']),
			force: {
				help: [
					'overwrite a different network label and take over fields other managers own',
					'(a network-label preflight failure then does not block multi-network plans)',
				],
			},
			reinstall: {help: ['run istioctl install even when the gateway already matches the plan']},
			'skip-checks': {help: ['run even when preflight checks fail (the failures are still printed)']},
			parallel: {
				value: 'number',
				arg: 'N',
				help: [
					`at most N istioctl processes at once across the run (default ${DEFAULT_PARALLEL}); the rest`,
					'wait in line and say so ("queued: 2 istioctl installs ahead")',
				],
			},
			ca: {
				value: 'file',
				arg: 'DIR',
				help: [
					'first, plug an intermediate CA of the root in DIR (root-cert.pem, root-key.pem;',
					'eastwest ca create makes one) into every cluster as Secret istio-system/cacerts;',
					'a cacerts of that root is left as it is, one of another root is refused unless --force',
				],
			},
			'restart-istiod': {help: ['after a new cacerts, restart istiod and wait for its rollout (with --ca)']},
			...INSTALLER_FLAGS,
		},
		after: `istiod reads cacerts only when it starts: without --restart-istiod it keeps its old CA until restarted,
and workloads keep their certificates until they restart too.`,
		examples: `  eastwest apply --topology multi-network --mesh mesh1 \\
      --cluster kind-east=east:network1 --cluster kind-west=west:network2 --yes
  eastwest apply --topology primary-remote --mesh mesh1 \\
      --cluster east=east:network1:primary --cluster west=west:network1:remote --dry-run -o json
  eastwest apply --profile prod --yes
  eastwest apply --profile prod --ca ~/mesh-ca --restart-istiod --yes`,
	},
	remove: {
		summary: ['undo a plan: remove exactly what eastwest set up on its clusters, and nothing else'],
		usage: `eastwest remove --profile NAME [flags]
       eastwest remove ${PLAN_USAGE} [flags]`,
		about: `Undo what 'eastwest apply' set up for the plan, in reverse dependency order: the expose resources,
the remote secrets, a remote's control plane (the remote profile eastwest installed), the east-west
gateway (every object labelled install.operator.istio.io/owning-resource=eastwest), then the
controlPlaneClusters annotation and the network label on istio-system; the cacerts Secret only with
--ca. Only what eastwest created goes: an object when the field manager eastwest created it (or its
istioctl owning-resource label is eastwest's), a label or annotation when eastwest set it and it still
holds the plan's value. Everything else is left and the output says what and why. Namespace
istio-system, Istio's CRDs and control planes are never removed. Every cluster must answer first;
no istioctl is needed. A second run reports every step "already gone". The profile stays and
'profiles show' records the last remove.`,
		flags: {
			profile: profile(["remove a saved plan's setup (eastwest profiles save); records how it ended"]),
			...PLAN_FLAGS,
			ca: {help: ['also remove Secret istio-system/cacerts, when eastwest plugged it in']},
			'dry-run': {help: ['say what would go (server-side dry run): nothing changes']},
			yes: {short: 'y', help: ['do not ask for confirmation (required without a terminal)']},
			timeout: timeout(['deadline of every step (default 2m); the reachability check gets at most 10s']),
			output: output(['text (one line per event, default) or json (one document at the end)']),
			installer: {
				value: ['istioctl', 'helm'],
				arg: 'TOOL',
				help: ["helm: uninstall the Helm releases eastwest made (default: helm when the cluster's", "istiod carries Helm's release annotations)"],
			},
			helm: INSTALLER_FLAGS.helm,
		},
		examples: `  eastwest remove --profile prod --dry-run
  eastwest remove --profile prod --yes
  eastwest remove --topology multi-network --mesh mesh1 \\
      --cluster kind-east=east:network1 --cluster kind-west=west:network2 --yes -o json`,
	},
	status: {
		summary: ['the east-west gateways across clusters: live in a terminal, or one snapshot'],
		usage: 'eastwest status [--profile NAME | --context CTX ...] [--watch] [-o text|json] [--timeout 15s]',
		about: `Show the east-west gateways: rollout, pod problems, Service type and external address, the four
ports, the network label on istio-system and on the Service, the expose resources and istiod,
with a picture of the networks. The wiring too: which peers each cluster reads (its remote
secrets, ✔/✘ with the reason) and, with --profile, which primary controls each remote and whether
it points at that primary's gateway. Data comes from watches, not polling; a secret's credentials
are asked of its peer by 'eastwest check', not here; istiod's own view
(each peer cluster synced, the gateway it knows per network) is read through a port-forward to
its port 15014, once and then every 10s while watching.`,
		flags: {
			profile: profile(['the clusters of a saved profile, judged against its networks and roles']),
			context: {value: 'context', arg: 'CTX', multiple: true, help: ['a cluster to show (repeatable; default: the current context)']},
			watch: {short: 'w', help: ['without a terminal: print one line per change until interrupted']},
			output: output(['text (default) or json: one snapshot, then exit']),
			timeout: timeout(["how long to wait for every cluster's first answer (default 15s)"]),
		},
		after: `In a terminal, status is a live view (q to quit). Exit code for snapshots: 0 when every cluster is
healthy, 1 otherwise.`,
	},
	profiles: {
		summary: ['list, show, save, delete or rename saved plans (profiles)'],
		usage: `eastwest profiles list [-o text|json]
       eastwest profiles show NAME [-o text|json]
       eastwest profiles save NAME ${PLAN_USAGE} [--revision R] [--ca DIR] [--overwrite] [--parallel N]
       eastwest profiles delete NAME
       eastwest profiles rename OLD NEW`,
		about: `Saved plans: topology, mesh ID, revision and clusters (contexts by name only, never credentials;
an --api-server override is kept with its cluster).
save checks the plan and that its contexts exist in the kubeconfig; it touches no cluster.`,
		flags: PROFILE_FLAGS,
		args: [{name: 'SUBCOMMAND'}],
		subcommands: {
			list: {flags: {output: profilesOutput}, args: []},
			show: {flags: {output: profilesOutput}, args: [{name: 'NAME', value: 'profile'}]},
			save: {flags: PROFILE_SAVE_FLAGS, args: [{name: 'NAME'}]},
			delete: {flags: {}, args: [{name: 'NAME', value: 'profile'}]},
			rename: {flags: {}, args: [{name: 'OLD', value: 'profile'}, {name: 'NEW'}]},
		},
		after: `Profile names: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63.
Stored in $XDG_CONFIG_HOME/eastwest-nodejs/profiles.json (file mode 0600).`,
		examples: `  eastwest profiles save prod --topology multi-network --mesh mesh1 \\
    --cluster east=east:network1 --cluster west=west:network2
  eastwest profiles list -o json`,
	},
	check: {
		summary: ['preflight and post-install checks of a plan across its clusters (changes nothing)'],
		usage: `eastwest check (--profile NAME | --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:role] ...)
                      [--revision R] [--phase preflight|post-install|all] [--timeout 30s] [-o text|json]`,
		about: `Read each cluster and judge it against the plan; nothing is changed. Preflight: reachability and
version, permissions, istiod and its install values, network labels, plug-in CA and a shared root,
trust domain, API server address, LoadBalancer support. Post-install: gateway rolled out, labels,
Service ports and network label, external address, expose resources, root certificate converged,
and the wiring: a remote secret per peer (labelled, annotated, keyed by the peer's cluster name)
whose identity the peer's API server lets read what istiod reads, asked from this machine; on a
remote, controlPlaneClusters, the istiod endpoints at the primary's gateway and the injector path;
and istiod's own view per primary (/debug/clusterz, /debug/networkz through a port-forward): every
other cluster synced, every network's gateway known; an istiod that cannot be read is a warning.
Both: each cluster's cacerts chains to its root, its key matches its certificate, and its
intermediate is not expired (a warning within 30 days).`,
		flags: {
			profile: profile(['check a saved profile']),
			...PLAN_FLAGS,
			phase: {value: PHASES, default: 'all', arg: 'P', help: [`${either(PHASES)} (default)`]},
			timeout: timeout([
				"how long each cluster's reads may take (default 30s, as in the wizard); a",
				'cluster that does not answer in time is reported unreachable, with the reason',
			]),
			output: output(['text (default) or json']),
		},
		after: `Each claim prints ✔ (holds), ‼ (warning), ✘ (fails) or – (skipped: not readable), with a hint
and the Istio doc section under anything that does not hold. Exit 1 when any check fails.`,
	},
	verify: {
		summary: [
			"prove the mesh carries traffic: istiod sees its peers, holds every cluster's endpoints,",
			'and requests from each cluster reach every other (cleans up after itself)',
		],
		usage: `eastwest verify (--profile NAME | ${PLAN_USAGE})
                       [--namespace eastwest-verify] [--requests 20] [--timeout 3m] [--keep]
                       [--image-registry R | --helloworld-image I --curl-image I] [-o text|json] [--junit FILE]`,
		about: `Verify the installation as Istio's docs do, in three layers, each reported as it goes:
1. control plane (reads only): every primary's istiod sees every other cluster synced
   (/debug/clusterz) and, across networks, knows every other network's gateway (/debug/networkz);
2. service discovery: a namespace of eastwest's (labelled for sidecar injection) gets a helloworld
   Service in every cluster, a helloworld Deployment per cluster answering with its cluster's name and
   a curl client; then each istiod must hold the Service's endpoints from every cluster it reads
   (/debug/endpointShardz), waited for until --timeout;
3. data plane: from each cluster's client, --requests calls to helloworld.<namespace>:5000/hello (one
   kubectl-style exec of a shell loop); every cluster must be answered by every cluster it should reach
   (all pairs when every cluster is a primary, remote <-> primary otherwise). A skewed histogram is a
   warning. When the loop cannot run (exec refused, no container), the layer is "not verified".
When a direction fails, verify walks the troubleshooting ladder (client sidecar, remote secret and its
credentials, one root, gateway address, network labels, istiod's endpoints) and names the first broken
link. Everything verify creates carries the label eastwest.io/verify=true and field manager eastwest,
and its namespace is deleted in every cluster at the end, on failure and on Ctrl-C, unless --keep.`,
		flags: {
			profile: profile(['verify a saved profile']),
			...PLAN_FLAGS,
			namespace: {
				value: 'text',
				arg: 'NS',
				help: ['namespace verify creates in every cluster (default eastwest-verify); one', 'eastwest did not create is refused'],
			},
			requests: {value: 'number', arg: 'N', help: ["requests from each cluster's client (default 20)"]},
			timeout: timeout(['deadline for the test workloads to roll out and for istiod to hold their', 'endpoints (default 3m)']),
			keep: {help: ['leave the namespace and its workloads in place (delete it yourself later)']},
			'image-registry': {value: 'text', arg: 'R', help: ['pull both images from R instead of docker.io (air-gapped registries)']},
			'helloworld-image': {value: 'text', arg: 'IMAGE', help: ['the helloworld image (default docker.io/istio/examples-helloworld-v1:1.0)']},
			'curl-image': {value: 'text', arg: 'IMAGE', help: ['the client image (default docker.io/curlimages/curl:8.16.0)']},
			output: output(['text (default) or json: per layer, per direction, the histograms and the ladder']),
			junit: {value: 'file', arg: 'FILE', help: ['also write a JUnit XML report, one testcase per check']},
		},
		after: `Exit 0 when every layer passes; 1 when a layer fails; 3 when layers 1 and 2 pass but the data
plane could not be verified (the reason is printed); 2 for bad input, a namespace eastwest did not
create, or another verify already running (its namespace says so); 130 on Ctrl-C (after cleaning up).`,
		examples: `  eastwest verify --profile prod
  eastwest verify --profile prod --requests 50 -o json --junit verify.xml
  eastwest verify --profile prod --image-registry registry.internal:5000`,
	},
	version: {
		summary: ['eastwest, istioctl and control-plane versions, with a warning on istioctl skew'],
		usage: 'eastwest version [--context CTX ...] [-o text|json] [--timeout 10s]',
		about: `Print eastwest's version, the istioctl eastwest would use (its path and client version, from
istioctl version --remote=false; --istioctl PATH picks another) and, for each --context, the
control plane's version: every istiod Deployment in istio-system with its revision and the version
its image tag says. istioctl supports control planes at most one minor version from its own
(1.30 with 1.29, 1.30 and 1.31): a wider gap prints a warning on stderr. Without --context no
cluster is contacted. 'eastwest --version' prints eastwest's version alone.`,
		flags: {
			context: {value: 'context', arg: 'CTX', multiple: true, help: ['a cluster whose control plane to read (repeatable)']},
			output: output(['text (default) or json: {eastwest, istioctl, contexts, warnings}']),
			timeout: timeout(['how long each cluster may take to answer (default 10s)']),
		},
		after: `Exit 1 when a context cannot be read (unreachable, refused, no answer in time), as kubectl version
does; its line says why and the other contexts still print. A missing istioctl, a context without
istiod and a version skew are reported, not failures.`,
	},
	completion: {
		summary: ['print a completion script for bash, zsh or fish'],
		usage: 'eastwest completion bash|zsh|fish',
		about: `Print a script that completes eastwest's commands, flags, the values of flags with fixed choices
(topology, output format, expose, phase), saved profile names and kubeconfig context names.
Load it in the shell:

  bash   source <(eastwest completion bash)        (add the line to ~/.bashrc)
  zsh    source <(eastwest completion zsh)         (in ~/.zshrc, after compinit)
  fish   eastwest completion fish | source         (or save it as ~/.config/fish/completions/eastwest.fish)

Profiles and contexts are read when Tab is pressed (the kubeconfig by kubectl's rules, honouring
--kubeconfig on the line), so they are always current. Exit 2 for a missing or unknown shell.`,
		flags: {},
		args: [{name: 'SHELL', value: SHELLS}],
	},
	ca: {
		summary: ['create a root CA whose intermediates apply --ca plugs into every cluster'],
		usage: 'eastwest ca create --out DIR [-o text|json]',
		about: `Create a root CA as Istio's tools/certs/Makefile.selfsigned.mk does (RSA 4096, sha256, O=Istio,
CN=Root CA, valid 3650 days) and write DIR/root-cert.pem and DIR/root-key.pem (mode 0600; DIR is
created 0700 when missing). Existing files are never replaced: exit 2 and nothing written.
Then 'eastwest apply … --ca DIR' issues every cluster its own intermediate CA from this root and
plugs it in as Secret istio-system/cacerts, so cross-cluster mTLS trusts one root.`,
		flags: CA_CREATE_FLAGS,
		args: [{name: 'SUBCOMMAND'}],
		subcommands: {create: {flags: CA_CREATE_FLAGS, args: []}},
		after: `A root of your own works too: put its certificate and unencrypted key in a directory as
root-cert.pem and root-key.pem (chmod 600) and pass that directory to --ca.`,
		examples: '  eastwest ca create --out ~/mesh-ca',
	},
	help: {
		summary: ["help COMMAND shows a command's flags, the same as COMMAND --help"],
		usage: 'eastwest help [COMMAND]',
		about: "Show a command's help, the same as 'eastwest COMMAND --help'; without a command, eastwest's own.",
		flags: {},
		args: [{name: 'COMMAND'}],
		builtin: true,
	},
} as const satisfies Readonly<Record<string, CommandSpec>>;

export type CommandName = keyof typeof COMMAND_SPECS;

/** The commands a module runs (every one but those cli.tsx answers itself). */
export type ModuleCommandName = {[K in CommandName]: (typeof COMMAND_SPECS)[K] extends {builtin: true} ? never : K}[CommandName];

/** A table of commands: the real one, or a copy a test changes. */
export type CommandTable = Readonly<Record<string, CommandSpec>>;

/** The names of the commands of a table that a module runs, in the table's order. */
export function moduleCommands(table: CommandTable = COMMAND_SPECS): string[] {
	return Object.entries(table)
		.filter(([, spec]) => !spec.builtin)
		.map(([name]) => name);
}
