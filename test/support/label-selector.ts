/** The one label-selector matcher of the test fakes (fake-apiserver.ts, fake-cluster.ts), as the API server reads selectors. */

/** kubectl-style label selectors: k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b). */
export function matchesLabels(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
	if (!selector) return true;
	const have = labels ?? {};
	const terms = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
	return terms.every(raw => {
		const term = raw.trim();
		if (!term) return true;
		let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
		if (m) {
			const values = m[3]!.split(',').map(v => v.trim());
			const has = m[1]! in have && values.includes(have[m[1]!]!);
			return m[2] === 'in' ? has : !has;
		}
		m = /^([^!=]+)!=(.*)$/.exec(term);
		if (m) return have[m[1]!.trim()] !== m[2]!.trim();
		m = /^([^!=]+)==?(.*)$/.exec(term);
		if (m) return have[m[1]!.trim()] === m[2]!.trim();
		if (term.startsWith('!')) return !(term.slice(1) in have);
		return term in have;
	});
}
