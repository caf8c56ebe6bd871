/**
 * The text a headless run prints as it goes, shared by `apply` and `remove`: one line per event, then a
 * summary per cluster. Light on purpose: it loads no layer (remove must not load istioctl or the checks).
 */
import {formatElapsed, type Event, type RunOutcome} from '../core/events.js';
import type {Plan, Step} from '../core/plan.js';
import type {TeardownPlan} from '../core/teardown.js';
import type {CommandContext} from '../core/command-context.js';
import {MARK} from '../core/marks.js';

/** A waiting line repeats at most this often while its reason holds. */
const WAITING_PRINT_INTERVAL_MS = 10_000;

/** The outcome of a run that never started: every step not run. */
export function notStarted(plan: Plan | TeardownPlan): RunOutcome {
	return {
		ok: false,
		cancelled: false,
		clusters: plan.clusters.map(cp => ({
			cluster: cp.cluster.name,
			context: cp.cluster.context,
			outcome: 'not-started' as const,
			steps: cp.steps.map(st => ({id: st.id, kind: st.kind, status: 'not-run' as const})),
		})),
	};
}

/** How a front-end other than apply (remove) words a run's results and closing notes. */
export interface TextPrinterWords {
	result?: Partial<Record<'changed' | 'unchanged' | 'skipped', string>>;
	/** Heading of the clusters' notes after a successful run. */
	notes?: string;
}

/** One line per event; `[cluster]` prefix; ✔/✘ with indented hints; waiting lines rate-limited. */
export class TextPrinter {
	private readonly steps: Map<string, Pick<Step, 'id' | 'title'>>;
	private readonly lastWaiting = new Map<string, {reason: string; at: number}>();
	private readonly lastLine = new Map<string, string>();
	private readonly width: number;

	constructor(
		private readonly ctx: CommandContext,
		private readonly plan: Plan | TeardownPlan,
		private readonly words: TextPrinterWords = {},
	) {
		this.steps = new Map(plan.steps.map(s => [s.id, s]));
		this.width = Math.max(...plan.clusters.map(c => c.cluster.name.length));
	}

	private out(cluster: string, text: string): void {
		this.ctx.stdout.write(`${`[${cluster}]`.padEnd(this.width + 2)} ${text}\n`);
	}

	print(event: Event): void {
		switch (event.type) {
			case 'step-start':
				this.out(event.cluster, `… ${event.title}`);
				return;
			case 'line': {
				if (this.lastLine.get(event.stepId) === event.text) return;
				this.lastLine.set(event.stepId, event.text);
				this.out(event.cluster, `    istioctl: ${event.text}`);
				return;
			}
			case 'waiting': {
				const last = this.lastWaiting.get(event.stepId);
				if (last && last.reason === event.reason && event.elapsedMs - last.at < WAITING_PRINT_INTERVAL_MS) return;
				this.lastWaiting.set(event.stepId, {reason: event.reason, at: event.elapsedMs});
				this.out(event.cluster, `    waiting ${formatElapsed(event.elapsedMs)}: ${event.reason}`);
				return;
			}
			case 'step-done': {
				const title = this.steps.get(event.stepId)?.title ?? event.stepId;
				const mark = event.result === 'skipped' ? MARK.skip : MARK.ok;
				const word = this.words.result?.[event.result] ?? event.result;
				this.out(
					event.cluster,
					`${mark} ${title}: ${word}${event.detail && event.detail !== word ? ` (${event.detail})` : ''} [${formatElapsed(event.elapsedMs)}]`,
				);
				return;
			}
			case 'step-failed': {
				const title = this.steps.get(event.stepId)?.title ?? event.stepId;
				this.out(event.cluster, `${MARK.fail} ${title}: ${event.error}`);
				if (event.hint) this.out(event.cluster, `    hint: ${event.hint}`);
				return;
			}
			case 'address':
				this.out(event.cluster, `${MARK.ok} gateway address: ${event.address.value}`);
				return;
			case 'run-done':
				this.summary(event.outcome);
				return;
		}
	}

	private summary(outcome: RunOutcome): void {
		const w = this.ctx.stdout;
		w.write(`\n${outcome.cancelled ? 'Interrupted' : outcome.ok ? 'Done' : 'Failed'}:\n`);
		for (const c of outcome.clusters) {
			if (c.steps.length === 0) {
				w.write(`  ${c.cluster} (context ${c.context}): nothing to do here\n`);
				continue;
			}
			const address = c.address ? `, gateway ${c.address.value}` : '';
			w.write(`  ${c.cluster} (context ${c.context}): ${c.outcome}${address}\n`);
			const done = c.steps.filter(s => s.status === 'changed' || s.status === 'unchanged' || s.status === 'skipped').map(s => `${s.kind} ${s.status}`);
			const bad = c.steps
				.filter(s => s.status === 'failed' || s.status === 'cancelled')
				.map(s => `${s.kind} ${s.status}${s.error && s.status === 'failed' ? `: ${s.error}` : ''}`);
			const notRun = c.steps.filter(s => s.status === 'not-run').map(s => s.kind);
			if (done.length > 0 && c.outcome !== 'succeeded') w.write(`    done: ${done.join(', ')}\n`);
			for (const b of bad) w.write(`    ${b}\n`);
			if (notRun.length > 0) w.write(`    not run: ${notRun.join(', ')}\n`);
		}
		const notes = this.plan.clusters.flatMap(c => c.notes.map(n => `  ${c.cluster.name}: ${n}`));
		if (notes.length > 0 && outcome.ok) w.write(`\n${this.words.notes ?? 'Notes'}:\n${notes.join('\n')}\n`);
	}
}
