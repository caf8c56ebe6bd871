// Stand-in for istiod's admission webhooks in the lab (no istiod runs there).
// Answers every AdmissionReview with "allowed" and no patch: nothing is
// injected and nothing is validated beyond the CRD schemas. Node built-ins only.
//
// usage: node lab/webhook-stub.mjs PORT CERT_FILE KEY_FILE CLUSTER
// Listens on https://127.0.0.1:PORT; GET /healthz answers "ok".
import {readFileSync} from 'node:fs';
import {createServer} from 'node:https';

const [port, certFile, keyFile, cluster = '?'] = process.argv.slice(2);
if (!port || !certFile || !keyFile) {
	console.error('usage: node webhook-stub.mjs PORT CERT_FILE KEY_FILE CLUSTER');
	process.exit(2);
}

const log = msg => console.log(`${new Date().toISOString()} webhook-stub[${cluster}] ${msg}`);
const MAX_BODY = 8 * 1024 * 1024;

const server = createServer({cert: readFileSync(certFile), key: readFileSync(keyFile)}, (req, res) => {
	if (req.method === 'GET' && req.url === '/healthz') {
		res.writeHead(200, {'content-type': 'text/plain'}).end('ok');
		return;
	}
	if (req.method !== 'POST') {
		res.writeHead(405).end();
		return;
	}
	const chunks = [];
	let size = 0;
	req.on('data', c => {
		size += c.length;
		if (size > MAX_BODY) req.destroy();
		else chunks.push(c);
	});
	req.on('end', () => {
		let review;
		try {
			review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			res.writeHead(400).end('bad AdmissionReview');
			return;
		}
		const r = review.request ?? {};
		log(`${req.url} ${r.operation ?? '?'} ${r.kind?.kind ?? '?'} ${r.namespace ?? ''}/${r.name ?? ''}: allowed, not mutated`);
		const body = JSON.stringify({
			apiVersion: review.apiVersion ?? 'admission.k8s.io/v1',
			kind: 'AdmissionReview',
			response: {uid: r.uid, allowed: true},
		});
		res.writeHead(200, {'content-type': 'application/json'}).end(body);
	});
});

server.listen(Number(port), '127.0.0.1', () => log(`listening on https://127.0.0.1:${port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
