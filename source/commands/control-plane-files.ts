/** The user's IstioOperator files (--control-plane-iop), read and checked before any cluster is asked anything. */
import {readFile} from 'node:fs/promises';
import {parseAllDocuments} from 'yaml';
import {iopFileProblem} from '../core/control-plane.js';
import type {MeshPlanInput} from '../core/model.js';
import {UsageError} from '../core/exit-codes.js';
import {firstLine} from '../core/text.js';

/** Each --control-plane-iop file of the plan, parsed, by context; a file that is not one IstioOperator of the plan's revision is a UsageError (exit 2). */
export async function readControlPlaneFiles(input: MeshPlanInput): Promise<Record<string, Record<string, unknown>>> {
	const files: Record<string, Record<string, unknown>> = {};
	for (const [context, file] of Object.entries(input.controlPlane?.iops ?? {})) {
		let text: string;
		try {
			text = await readFile(file, 'utf8');
		} catch (error) {
			const code = (error as {code?: unknown}).code;
			throw new UsageError(`--control-plane-iop ${context}=${file}: cannot be read (${typeof code === 'string' ? code : firstLine(error)})`);
		}
		const docs = parseAllDocuments(text);
		const list = Array.isArray(docs) ? docs : [docs];
		const broken = list.find(d => d.errors.length > 0);
		if (broken) throw new UsageError(`--control-plane-iop ${file}: is not YAML (${firstLine(broken.errors[0]!.message)})`);
		const parsed = list.map(d => d.toJS() as unknown);
		const problem = iopFileProblem(file, parsed, input.revision);
		if (problem) throw new UsageError(problem);
		files[context] = parsed.find(d => d !== null && d !== undefined) as Record<string, unknown>;
	}
	return files;
}
