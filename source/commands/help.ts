/** Usage text for every command. Light on purpose: `--help` must not load the heavy modules. */
import {DEFAULT_PARALLEL} from '../core/slots.js';

export const COMMAND_SUMMARIES: Array<[string, string]> = [
	['(none)', 'guided wizard: topology → contexts → IDs → trust → checks → review → run (needs a terminal);'],
	['', '--profile NAME checks a saved plan, then opens it at Review'],
	['manifests', 'print the YAML eastwest installs and applies (pipe it to istioctl/kubectl)'],
	['apply', 'headless run of a plan: install the gateways, wait for them, expose istiod/services'],
	['remove', "undo a plan: remove exactly what eastwest set up on its clusters, and nothing else"],
	['status', 'the east-west gateways across clusters: live in a terminal, or one snapshot'],
	['profiles', 'list, show, save, delete or rename saved plans (profiles)'],
	['check', 'preflight and post-install checks of a plan across its clusters (changes nothing)'],
	['version', 'eastwest, istioctl and control-plane versions, with a warning on istioctl skew'],
	['completion', 'print a completion script for bash, zsh or fish'],
	['ca', 'create a root CA whose intermediates apply --ca plugs into every cluster'],
	['help', "help COMMAND shows a command's flags, the same as COMMAND --help"],
];

const GLOBAL = `Global flags:
  --kubeconfig PATH   kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)
  --istioctl PATH     istioctl binary (default: istioctl on PATH)
  --no-color          plain output (NO_COLOR is honoured too)
  -v, --verbose       each Kubernetes request (verb, path, status, ms) and istioctl command line
                      to stderr, tokens and keys redacted
  -h, --help          show help
  --version           print the version`;

const EXIT_CODES = 'Exit codes: 0 ok · 1 the work failed · 2 usage or bad input · 130 interrupted';

export function mainHelp(version: string): string {
	const width = Math.max(...COMMAND_SUMMARIES.map(([n]) => n.length));
	return `eastwest ${version}: set up Istio multicluster east-west gateways

Usage: eastwest [command] [flags]

Commands:
${COMMAND_SUMMARIES.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n')}

${GLOBAL}

${EXIT_CODES}
Run 'eastwest help <command>' (or 'eastwest <command> --help') for a command's flags.
`;
}

export const COMMAND_HELP: Record<string, string> = {
	manifests: `Usage: eastwest manifests --network N [--revision R] [--expose istiod|services|all|none] [--api-version v1|v1beta1]
       eastwest manifests --profile NAME [--api-version v1|v1beta1]

Print the east-west gateway IstioOperator and the expose resources as multi-document YAML.

  --network N          network ID of the cluster the gateway serves (required)
  --revision R         control-plane revision (default: the default revision)
  --expose WHAT        istiod: Gateway+VirtualService for remotes to reach istiod
                       services: cross-network Gateway (15443, AUTO_PASSTHROUGH)
                       all: both · none: only the gateway (default)
  --api-version V      networking.istio.io version: v1 (Istio ≥ 1.22, default) or v1beta1
  --profile NAME       every cluster's manifests of a saved profile, each under a comment naming it

Examples:
  eastwest manifests --network network1 | istioctl install -y -f -
  eastwest manifests --network network1 --expose all
`,
	status: `Usage: eastwest status [--profile NAME | --context CTX ...] [--watch] [-o text|json] [--timeout 15s]

Show the east-west gateways: rollout, pod problems, Service type and external address, the four
ports, the network label on istio-system and on the Service, the expose resources and istiod,
with a picture of the networks. The wiring too: which peers each cluster reads (its remote
secrets, ✔/✘ with the reason) and, with --profile, which primary controls each remote and whether
it points at that primary's gateway. Data comes from watches, not polling; a secret's credentials
are asked of its peer by 'eastwest check', not here; istiod's own view
(each peer cluster synced, the gateway it knows per network) is read through a port-forward to
its port 15014, once and then every 10s while watching.

  --profile NAME       the clusters of a saved profile, judged against its networks and roles
  --context CTX        a cluster to show (repeatable; default: the current context)
  -w, --watch          without a terminal: print one line per change until interrupted
  -o, --output FORMAT  text (default) or json: one snapshot, then exit
  --timeout D          how long to wait for every cluster's first answer (default 15s)

In a terminal, status is a live view (q to quit). Exit code for snapshots: 0 when every cluster is
healthy, 1 otherwise.
`,
	check: `Usage: eastwest check (--profile NAME | --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:role] ...)
                      [--revision R] [--phase preflight|post-install|all] [--timeout 30s] [-o text|json]

Read each cluster and judge it against the plan; nothing is changed. Preflight: reachability and
version, permissions, istiod and its install values, network labels, plug-in CA and a shared root,
trust domain, API server address, LoadBalancer support. Post-install: gateway rolled out, labels,
Service ports and network label, external address, expose resources, root certificate converged,
and the wiring: a remote secret per peer (labelled, annotated, keyed by the peer's cluster name)
whose identity the peer's API server lets read what istiod reads, asked from this machine; on a
remote, controlPlaneClusters, the istiod endpoints at the primary's gateway and the injector path;
and istiod's own view per primary (/debug/clusterz, /debug/networkz through a port-forward): every
other cluster synced, every network's gateway known; an istiod that cannot be read is a warning.
Both: each cluster's cacerts chains to its root, its key matches its certificate, and its
intermediate is not expired (a warning within 30 days).

  --profile NAME       check a saved profile
  --topology T         primary-remote, multi-network or primary-remote-multi-network
  --mesh ID            mesh ID every primary shares
  --cluster SPEC       CONTEXT=NAME:NETWORK[:primary|remote], once per cluster; the role
                       defaults to primary for multi-network and is required otherwise
  --revision R         control-plane revision (default: the default revision)
  --api-server CONTEXT=URL
                       the API server address other clusters' istiod use for CONTEXT (repeatable)
  --phase P            preflight, post-install or all (default)
  --timeout DURATION   how long each cluster's reads may take (default 30s, as in the wizard); a
                       cluster that does not answer in time is reported unreachable, with the reason
  -o, --output FORMAT  text (default) or json

Each claim prints ✔ (holds), ‼ (warning), ✘ (fails) or – (skipped: not readable), with a hint
and the Istio doc section under anything that does not hold. Exit 1 when any check fails.
`,
	version: `Usage: eastwest version [--context CTX ...] [-o text|json] [--timeout 10s]

Print eastwest's version, the istioctl eastwest would use (its path and client version, from
istioctl version --remote=false; --istioctl PATH picks another) and, for each --context, the
control plane's version: every istiod Deployment in istio-system with its revision and the version
its image tag says. istioctl supports control planes at most one minor version from its own
(1.30 with 1.29, 1.30 and 1.31): a wider gap prints a warning on stderr. Without --context no
cluster is contacted. 'eastwest --version' prints eastwest's version alone.

  --context CTX        a cluster whose control plane to read (repeatable)
  -o, --output FORMAT  text (default) or json: {eastwest, istioctl, contexts, warnings}
  --timeout D          how long each cluster may take to answer (default 10s)

Exit 1 when a context cannot be read (unreachable, refused, no answer in time), as kubectl version
does; its line says why and the other contexts still print. A missing istioctl, a context without
istiod and a version skew are reported, not failures.
`,
	profiles: `Usage: eastwest profiles list [-o text|json]
       eastwest profiles show NAME [-o text|json]
       eastwest profiles save NAME --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:primary|remote] ... [--revision R] [--ca DIR] [--overwrite] [--parallel N]
       eastwest profiles delete NAME
       eastwest profiles rename OLD NEW

Saved plans: topology, mesh ID, revision and clusters (contexts by name only, never credentials;
an --api-server override is kept with its cluster).
save checks the plan and that its contexts exist in the kubeconfig; it touches no cluster.

  --topology T         primary-remote, multi-network or primary-remote-multi-network
  --mesh ID            mesh ID every primary shares
  --cluster SPEC       CONTEXT=NAME:NETWORK[:primary|remote], once per cluster; the role
                       defaults to primary for multi-network and is required otherwise
  --revision R         control-plane revision (default: the default revision)
  --api-server CONTEXT=URL
                       the API server address other clusters' istiod use for CONTEXT (repeatable)
  --ca DIR             the root CA whose intermediates apply plugs into every cluster: the directory
                       is checked and stored as a path; the key stays in its file
  --overwrite          replace an existing profile of that name
  --parallel N         the --parallel 'eastwest apply --profile NAME' uses when given none
  -o, --output FORMAT  text (default) or json, for list and show

Profile names: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63.
Stored in $XDG_CONFIG_HOME/eastwest-nodejs/profiles.json (file mode 0600).

Examples:
  eastwest profiles save prod --topology multi-network --mesh mesh1 \\
    --cluster east=east:network1 --cluster west=west:network2
  eastwest profiles list -o json
`,
};

COMMAND_HELP.apply = `Usage: eastwest apply --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:primary|remote] ... [flags]
       eastwest apply --profile NAME [flags]

Run the plan without the wizard: per cluster, label istio-system with its network (multi-network
topologies), install the east-west gateway with istioctl, wait for it to roll out and get an external
address, then expose istiod (primary-remote primary) and/or services (multi-network primaries).
Then wire the mesh: every cluster that runs istiod gets a remote secret for each cluster it reads
(istioctl create-remote-secret, once per cluster, applied server-side; its credentials are checked),
and each remote is annotated with its primary and gets the remote control plane (istioctl install,
profile remote, pointed at the primary's gateway) before the primary reads it and before its own gateway.
Clusters that do not depend on each other run in parallel. A re-run reports what is unchanged.
Before anything changes, istioctl must answer 'version' (else exit 2) and the preflight checks of
'eastwest check --phase preflight' must pass: a failed check stops the run with exit 1 and nothing
changed anywhere; warnings are printed and do not block. --dry-run runs the checks too.

  --profile NAME       run a saved plan (eastwest profiles save); records how the run ended
  --topology T         primary-remote | multi-network | primary-remote-multi-network
  --mesh ID            mesh ID shared by every primary
  --cluster SPEC       CONTEXT=NAME:NETWORK[:primary|remote], once per cluster; the role defaults to
                       primary for multi-network and is required for the primary-remote topologies
  --revision R         control-plane revision (default: the default revision)
  --api-server CONTEXT=URL
                       the API server address other clusters' istiod use to read CONTEXT (written
                       into its remote secrets); default the kubeconfig's server; repeatable
  --dry-run            server-side dry run and istioctl --dry-run: nothing changes
  -y, --yes            do not ask for confirmation (required without a terminal)
  --timeout D          deadline for every wait and istioctl's --readiness-timeout (default 5m);
                       each cluster's preflight reads get at most 30s, or D when shorter
  -o, --output F       text (one line per event, default) or json (one document at the end)
  --force              overwrite a different network label and take over fields other managers own
                       (a network-label preflight failure then does not block multi-network plans)
  --reinstall          run istioctl install even when the gateway already matches the plan
  --skip-checks        run even when preflight checks fail (the failures are still printed)
  --parallel N         at most N istioctl processes at once across the run (default ${DEFAULT_PARALLEL}); the rest
                       wait in line and say so ("queued: 2 istioctl installs ahead")
  --ca DIR             first, plug an intermediate CA of the root in DIR (root-cert.pem, root-key.pem;
                       eastwest ca create makes one) into every cluster as Secret istio-system/cacerts;
                       a cacerts of that root is left as it is, one of another root is refused unless --force
  --restart-istiod     after a new cacerts, restart istiod and wait for its rollout (with --ca)

istiod reads cacerts only when it starts: without --restart-istiod it keeps its old CA until restarted,
and workloads keep their certificates until they restart too.

Examples:
  eastwest apply --topology multi-network --mesh mesh1 \\
      --cluster kind-east=east:network1 --cluster kind-west=west:network2 --yes
  eastwest apply --topology primary-remote --mesh mesh1 \\
      --cluster east=east:network1:primary --cluster west=west:network1:remote --dry-run -o json
  eastwest apply --profile prod --yes
  eastwest apply --profile prod --ca ~/mesh-ca --restart-istiod --yes
`;

COMMAND_HELP.remove = `Usage: eastwest remove --profile NAME [flags]
       eastwest remove --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:primary|remote] ... [flags]

Undo what 'eastwest apply' set up for the plan, in reverse dependency order: the expose resources,
the remote secrets, a remote's control plane (the remote profile eastwest installed), the east-west
gateway (every object labelled install.operator.istio.io/owning-resource=eastwest), then the
controlPlaneClusters annotation and the network label on istio-system; the cacerts Secret only with
--ca. Only what eastwest created goes: an object when the field manager eastwest created it (or its
istioctl owning-resource label is eastwest's), a label or annotation when eastwest set it and it still
holds the plan's value. Everything else is left and the output says what and why. Namespace
istio-system, Istio's CRDs and control planes are never removed. Every cluster must answer first;
no istioctl is needed. A second run reports every step "already gone". The profile stays and
'profiles show' records the last remove.

  --profile NAME       remove a saved plan's setup (eastwest profiles save); records how it ended
  --topology T         primary-remote | multi-network | primary-remote-multi-network
  --mesh ID            mesh ID shared by every primary
  --cluster SPEC       CONTEXT=NAME:NETWORK[:primary|remote], once per cluster
  --revision R         control-plane revision of the plan
  --api-server CONTEXT=URL
                       as for apply (part of the plan; the remote secrets are found by name)
  --ca                 also remove Secret istio-system/cacerts, when eastwest plugged it in
  --dry-run            say what would go (server-side dry run): nothing changes
  -y, --yes            do not ask for confirmation (required without a terminal)
  --timeout D          deadline of every step (default 2m); the reachability check gets at most 10s
  -o, --output F       text (one line per event, default) or json (one document at the end)

Examples:
  eastwest remove --profile prod --dry-run
  eastwest remove --profile prod --yes
  eastwest remove --topology multi-network --mesh mesh1 \\
      --cluster kind-east=east:network1 --cluster kind-west=west:network2 --yes -o json
`;

COMMAND_HELP.completion = `Usage: eastwest completion bash|zsh|fish

Print a script that completes eastwest's commands, flags, the values of flags with fixed choices
(topology, output format, expose, phase), saved profile names and kubeconfig context names.
Load it in the shell:

  bash   source <(eastwest completion bash)        (add the line to ~/.bashrc)
  zsh    source <(eastwest completion zsh)         (in ~/.zshrc, after compinit)
  fish   eastwest completion fish | source         (or save it as ~/.config/fish/completions/eastwest.fish)

Profiles and contexts are read when Tab is pressed (the kubeconfig by kubectl's rules, honouring
--kubeconfig on the line), so they are always current. Exit 2 for a missing or unknown shell.
`;

COMMAND_HELP.ca = `Usage: eastwest ca create --out DIR [-o text|json]

Create a root CA as Istio's tools/certs/Makefile.selfsigned.mk does (RSA 4096, sha256, O=Istio,
CN=Root CA, valid 3650 days) and write DIR/root-cert.pem and DIR/root-key.pem (mode 0600; DIR is
created 0700 when missing). Existing files are never replaced: exit 2 and nothing written.
Then 'eastwest apply … --ca DIR' issues every cluster its own intermediate CA from this root and
plugs it in as Secret istio-system/cacerts, so cross-cluster mTLS trusts one root.

  --out DIR            directory to write the root to (required)
  -o, --output FORMAT  text (default) or json: the paths, subject, fingerprint and expiry (never the key)

A root of your own works too: put its certificate and unencrypted key in a directory as
root-cert.pem and root-key.pem (chmod 600) and pass that directory to --ca.

Examples:
  eastwest ca create --out ~/mesh-ca
`;

export function commandHelp(name: string): string {
	return `${COMMAND_HELP[name] ?? ''}\n${GLOBAL}\n\n${EXIT_CODES}\n`;
}
