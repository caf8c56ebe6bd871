/** Reading a saved profile's plan and recording a run on it: the one way commands reach the profile store. */
import type {MeshPlanInput} from '../core/model.js';
import {formatProblem, validatePlan} from '../core/validate.js';
import {UsageError} from '../core/exit-codes.js';
import {firstLine} from '../core/text.js';

/** The plan saved under `name`, validated; a one-line error when it is absent, unreadable or invalid. */
export async function loadSavedPlan(name: string): Promise<MeshPlanInput> {
	const {ProfileStore, profilePlan} = await import('../store/profiles.js');
	const {storeErrorToCli} = await import('./profiles.js');
	let input: MeshPlanInput;
	try {
		input = profilePlan(new ProfileStore().get(name));
	} catch (error) {
		throw storeErrorToCli(error);
	}
	const problems = validatePlan(input);
	if (problems.length > 0) {
		throw new UsageError(`profile "${name}" is not a valid plan: ${formatProblem(problems[0]!)}; fix it with eastwest profiles save ${name} … --overwrite`);
	}
	return input;
}

/** Remember how the last run of a profile ended. Returns a warning instead of failing the run. */
export async function recordProfileRun(name: string, result: 'succeeded' | 'failed' | 'cancelled', dryRun: boolean): Promise<string | undefined> {
	return recordOnProfile(name, 'run', result, dryRun);
}

/** The --parallel saved on a profile, or undefined (none saved, or the profile cannot be read: loadSavedPlan reports that). */
export async function savedParallel(name: string): Promise<number | undefined> {
	try {
		const {ProfileStore} = await import('../store/profiles.js');
		return new ProfileStore().get(name).parallel;
	} catch {
		return undefined;
	}
}

/** Remember how the last remove of a profile's wiring ended. Returns a warning instead of failing the run. */
export async function recordProfileRemove(name: string, result: 'succeeded' | 'failed' | 'cancelled', dryRun: boolean): Promise<string | undefined> {
	return recordOnProfile(name, 'remove', result, dryRun);
}

/** Record how a run or a remove ended on the profile; a failure to record is the warning's text, never a throw. */
async function recordOnProfile(
	name: string,
	what: 'run' | 'remove',
	result: 'succeeded' | 'failed' | 'cancelled',
	dryRun: boolean,
): Promise<string | undefined> {
	try {
		const {ProfileStore} = await import('../store/profiles.js');
		const store = new ProfileStore();
		await (what === 'run' ? store.recordApplied(name, result, {dryRun}) : store.recordRemoved(name, result, {dryRun}));
		return undefined;
	} catch (error) {
		return `could not record the ${what} on profile "${name}": ${firstLine(error)}`;
	}
}
