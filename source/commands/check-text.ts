/**
 * Check results as text, linkerd-style: a heading per cluster, one line per claim, the reason, hint and
 * doc indented under anything that does not pass. `eastwest check` prints every result; `apply` prints
 * its preflight with the same renderer, showing only what did not pass.
 */
import {SKIPPED_UNREACHABLE, groupResults, type CheckResult, type CheckSummary} from '../core/checks/index.js';
import {CHECK_MARK, MARK} from '../core/marks.js';
import type {MeshPlanInput} from '../core/model.js';

/** What could not be read on each cluster (by cluster name). */
export type ReadErrors = Readonly<Record<string, {errors?: string[]}>>;

export interface CheckLinesOptions {
	/** Show only failures and warnings (the passing checks are counted in the verdict). */
	problemsOnly?: boolean;
	/** A last line under a result, e.g. how the run resolves it. */
	note?(result: CheckResult): string | undefined;
}

/** The grouped lines, without the verdict. */
export function checkLines(plan: MeshPlanInput, results: readonly CheckResult[], collected: ReadErrors = {}, options: CheckLinesOptions = {}): string[] {
	const shown = options.problemsOnly
		? results.filter(r => r.status === 'fail' || r.status === 'warn' || (r.status === 'skip' && r.reason === SKIPPED_UNREACHABLE))
		: results;
	const lines: string[] = [];
	for (const group of groupResults(plan, shown)) {
		if (group.results.length === 0 && group.blocked === 0) continue;
		if (lines.length > 0) lines.push('');
		lines.push(group.title, '-'.repeat(group.title.length));
		for (const r of group.results) {
			lines.push(`${CHECK_MARK[r.status]} ${r.claim}`);
			if (r.status === 'pass') continue;
			if (r.reason) lines.push(`    ${r.status === 'skip' ? 'skipped: ' : ''}${r.reason}`);
			if (r.hint) lines.push(`    hint: ${r.hint}`);
			if (r.doc) lines.push(`    see: ${r.doc}`);
			const note = options.note?.(r);
			if (note) lines.push(`    ${note}`);
		}
		if (group.blocked > 0) lines.push(`${MARK.skip} ${group.blocked} more check${group.blocked === 1 ? '' : 's'} skipped: ${SKIPPED_UNREACHABLE}`);
		for (const e of group.cluster ? (collected[group.cluster]?.errors ?? []) : []) lines.push(`    (could not read: ${e})`);
	}
	return lines;
}

/** "14 passed, 1 warning, 2 failed, 0 skipped" */
export function countsText(s: CheckSummary): string {
	return `${s.pass} passed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed, ${s.skip} skipped`;
}

/** `eastwest check`'s text: every result, then the verdict. */
export function formatCheckResults(plan: MeshPlanInput, results: readonly CheckResult[], summary: CheckSummary, collected: ReadErrors = {}): string {
	const verdict =
		summary.fail > 0 ? `${MARK.fail} checks failed` : summary.warn > 0 ? `${MARK.warn} checks passed with warnings` : `${MARK.ok} all checks passed`;
	return `${[...checkLines(plan, results, collected), '', `${verdict}: ${countsText(summary)}`].join('\n')}\n`;
}

/** What apply's preflight found, as its text shows it. */
export interface PreflightText {
	results: readonly CheckResult[];
	summary: CheckSummary;
	/** Failures that stop the run (unless --skip-checks). */
	failed: readonly CheckResult[];
	/** Failures the run's own flags take care of, each with how. */
	overridden: ReadonlyArray<{result: CheckResult; by: string}>;
	facts: ReadErrors;
}

/** apply's preflight in `eastwest check`'s style, showing only what did not pass. */
export function formatPreflight(plan: MeshPlanInput, preflight: PreflightText, skipChecks: boolean): string {
	const lines = checkLines(plan, preflight.results, preflight.facts, {
		problemsOnly: true,
		note: r => {
			const by = preflight.overridden.find(o => o.result === r)?.by;
			return by ? `overridden: ${by}` : undefined;
		},
	});
	const s = preflight.summary;
	const counts = countsText(s);
	const verdict =
		preflight.failed.length > 0
			? `${MARK.fail} preflight checks failed: ${counts}${skipChecks ? '; running anyway (--skip-checks)' : ''}`
			: s.fail > 0 || s.warn > 0
				? `${MARK.warn} preflight checks passed with ${s.fail > 0 ? 'overrides' : 'warnings'}: ${counts}`
				: `${MARK.ok} preflight checks passed: ${counts}`;
	if (lines.length > 0) lines.push('');
	lines.push(verdict, '');
	return `${lines.join('\n')}\n`;
}
