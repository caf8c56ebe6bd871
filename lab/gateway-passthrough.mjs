// The primary-remote lab's stand-in for two things a real primary does for its remote, which the lab's
// kwok pods and istiod process cannot (see lab/README.md, "A remote's path to istiod"):
//
// 1. The east-west gateway's TLS passthrough to istiod. For every TEST-NET address the LoadBalancer
//    controller gave the primary's gateway Service (istio=eastwestgateway), and for each of istiod's
//    ports 15012/15017 that a Gateway in istio-system passes through (tls.mode PASSTHROUGH, selector
//    istio: eastwestgateway: what eastwest's expose-istiod creates), it listens on ADDRESS:PORT and
//    pipes every connection, unopened, to the primary istiod process's port (11012/11017). A port no
//    Gateway passes through is not listened on, as a real gateway would not route it. The addresses
//    are on the lab namespace's lo (lab/up.sh): nothing outside the namespace can dial them.
// 2. istiod's caBundle patch of its remote's injector webhooks. The lab's istiod runs with
//    INJECTION_WEBHOOK_CONFIG_NAME empty (so it leaves the stand-in webhooks of its own cluster
//    alone), which also stops it from patching its remote's; this does it instead: every
//    MutatingWebhookConfiguration of the remote whose *sidecar-injector.istio.io webhooks call
//    Service istio-system/istiod* gets the primary's root (ConfigMap istio-ca-root-cert) as caBundle.
//
// usage: node lab/gateway-passthrough.mjs KUBECTL KUBECONFIG PRIMARY REMOTE ADDRESS_PREFIX XDS_PORT WEBHOOK_PORT
// e.g.   node lab/gateway-passthrough.mjs bin/kubectl kubeconfig east west 192.0.2 11012 11017
import {execFile} from 'node:child_process';
import {createServer, connect} from 'node:net';

const [kubectl, kubeconfig, primary, remote, prefix, xdsPort, webhookPort] = process.argv.slice(2);
if (!webhookPort) {
	console.error('usage: node gateway-passthrough.mjs KUBECTL KUBECONFIG PRIMARY REMOTE ADDRESS_PREFIX XDS_PORT WEBHOOK_PORT');
	process.exit(2);
}
const POLL_MS = Number(process.env.EASTWEST_LAB_PASSTHROUGH_POLL ?? 2) * 1000;
/** The gateway's port → the primary istiod process's port. */
const TARGETS = new Map([
	[15012, Number(xdsPort)],
	[15017, Number(webhookPort)],
]);

const log = msg => console.log(`${new Date().toISOString()} gateway-passthrough[${primary}] ${msg}`);

function kc(context, args) {
	return new Promise((resolve, reject) => {
		execFile(
			kubectl,
			['--kubeconfig', kubeconfig, '--context', context, '--request-timeout=10s', ...args],
			{maxBuffer: 32 * 1024 * 1024},
			(err, stdout, stderr) =>
				err
					? reject(
							new Error(
								String(stderr || err.message)
									.trim()
									.split('\n')[0],
							),
						)
					: resolve(stdout),
		);
	});
}

/** Open listeners by "address:port". */
const listeners = new Map();

function listen(address, port) {
	const key = `${address}:${port}`;
	const target = TARGETS.get(port);
	const server = createServer(client => {
		const upstream = connect({host: '127.0.0.1', port: target});
		client.pipe(upstream).pipe(client);
		const close = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on('error', close);
		upstream.on('error', close);
	});
	server.on('error', err => {
		log(`${key}: ${err.message}`);
		listeners.delete(key);
	});
	server.listen(port, address, () => log(`${key} → 127.0.0.1:${target} (${primary}'s istiod)`));
	listeners.set(key, server);
}

/** The addresses:ports the primary's gateway passes through to istiod right now. */
function wanted(items) {
	const addresses = new Set();
	const ports = new Set();
	for (const o of items) {
		if (o.kind === 'Service' && o.metadata?.labels?.istio === 'eastwestgateway') {
			for (const ing of o.status?.loadBalancer?.ingress ?? []) if (ing.ip?.startsWith(`${prefix}.`)) addresses.add(ing.ip);
		}
		if (o.kind === 'Gateway' && o.spec?.selector?.istio === 'eastwestgateway') {
			for (const s of o.spec.servers ?? []) if (s.tls?.mode === 'PASSTHROUGH' && TARGETS.has(s.port?.number)) ports.add(s.port.number);
		}
	}
	return new Set([...addresses].flatMap(a => [...ports].map(p => `${a}:${p}`)));
}

async function patchRemoteCaBundle(root) {
	const hooks = JSON.parse(await kc(remote, ['get', 'mutatingwebhookconfigurations', '-o', 'json'])).items ?? [];
	for (const cfg of hooks) {
		const ops = [];
		(cfg.webhooks ?? []).forEach((w, i) => {
			const svc = w.clientConfig?.service;
			if (!w.name?.endsWith('sidecar-injector.istio.io') || svc?.namespace !== 'istio-system' || !svc.name?.startsWith('istiod')) return;
			if (w.clientConfig.caBundle !== root) ops.push({op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: root});
		});
		if (ops.length === 0) continue;
		await kc(remote, ['patch', 'mutatingwebhookconfiguration', cfg.metadata.name, '--type=json', '-p', JSON.stringify(ops)]);
		log(`${remote}: ${cfg.metadata.name}: caBundle of ${ops.length} injector webhook(s) set to ${primary}'s root`);
	}
}

let lastError = '';
async function pass() {
	try {
		const items = JSON.parse(await kc(primary, ['get', 'services,gateways.networking.istio.io,configmaps', '-n', 'istio-system', '-o', 'json'])).items ?? [];
		const want = wanted(items);
		for (const [key, server] of listeners) {
			if (want.has(key)) continue;
			server.close();
			listeners.delete(key);
			log(`${key}: no longer passed through`);
		}
		for (const key of want) {
			if (listeners.has(key)) continue;
			const i = key.lastIndexOf(':');
			listen(key.slice(0, i), Number(key.slice(i + 1)));
		}
		const rootPem = items.find(o => o.kind === 'ConfigMap' && o.metadata?.name === 'istio-ca-root-cert')?.data?.['root-cert.pem'];
		if (rootPem) await patchRemoteCaBundle(Buffer.from(rootPem).toString('base64'));
		lastError = '';
	} catch (err) {
		if (err.message !== lastError) log(`pass failed: ${err.message}`);
		lastError = err.message;
	}
}

log(
	`started: ${prefix}.x:15012/15017 → 127.0.0.1:${xdsPort}/${webhookPort} while a Gateway passes them through; ${remote}'s injector caBundle from ${primary}'s root`,
);
for (;;) {
	await pass();
	await new Promise(r => setTimeout(r, POLL_MS));
}
