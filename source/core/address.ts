/** Addresses of API servers: the host of a URL, and the one rule for an address only this machine can use. */

/** Host of a URL as URL.hostname gives it (an IPv6 address in brackets), or undefined when it is not a URL. */
export function urlHost(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		return new URL(url).hostname;
	} catch {
		return undefined;
	}
}

/**
 * True for addresses no other machine can use to reach this one: 127.0.0.0/8, ::1, localhost (and
 * *.localhost), and the unspecified 0.0.0.0 and :: (k3d writes https://0.0.0.0:PORT into kubeconfigs).
 */
export function isLoopbackHost(host: string): boolean {
	const h = host.replace(/^\[|\]$/g, '').toLowerCase();
	return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || h === '::' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** True when a URL's host is a loopback address (isLoopbackHost); false when there is no URL. */
export function isLoopbackServer(url: string | undefined): boolean {
	const host = urlHost(url);
	return host !== undefined && isLoopbackHost(host);
}
