/** `eastwest ca create --out DIR`: a new root CA (root-cert.pem, root-key.pem 0600) for `apply --ca DIR`. */
import {choiceOf, parseFlags, parserOptions, type OptionSpec} from './args.js';
import {COMMAND_SPECS} from './spec.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import type {CommandContext} from '../core/command-context.js';
import type {CaSource} from '../core/ports.js';

const SPEC = COMMAND_SPECS.ca;
const SUBCOMMANDS = Object.keys(SPEC.subcommands);

/** Each subcommand's flags (besides the global ones). */
export const SUBCOMMAND_FLAGS = {
	create: parserOptions(SPEC.subcommands.create.flags),
} satisfies Record<keyof typeof SPEC.subcommands, OptionSpec>;

/** Every flag some subcommand of `eastwest ca` takes. */
export const FLAGS: OptionSpec = parserOptions(SPEC.flags);

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	const [sub, ...rest] = args;
	if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
		throw new UsageError(
			`${sub === undefined ? 'eastwest ca needs a subcommand' : `unknown subcommand "${sub}"`}: ${SUBCOMMANDS.join(', ')} (run 'eastwest ca --help')`,
		);
	}
	const {values, positionals} = parseFlags('ca create', rest, SUBCOMMAND_FLAGS.create, true);
	if (positionals.length > 0)
		throw new UsageError(`eastwest ca create takes no arguments; unexpected "${positionals[0]}" (did you mean --out ${positionals[0]}?)`);
	const output = choiceOf('output', SPEC.subcommands.create.flags.output, values.output);
	if (values.out === undefined || values.out === '')
		throw new UsageError('--out DIR is required: the directory to write root-cert.pem and root-key.pem to (created if missing)');
	const dir = values.out;
	const ca = await import('../ca/index.js');
	// Refused before the slow key generation: an existing root is never replaced.
	const problem = ca.writeProblem(dir);
	if (problem) throw new UsageError(problem);
	if (ctx.signal.aborted) return EXIT.interrupted;
	if (output === 'text') ctx.stderr.write('Generating an RSA 4096 root key (this takes a few seconds)…\n');
	let created;
	try {
		created = await ca.createRootDir(dir);
	} catch (error) {
		if (error instanceof ca.CaError) throw new WorkError(error.message, error.hint);
		throw error;
	}
	if (output === 'json') {
		ctx.stdout.write(
			`${JSON.stringify({dir, rootCert: created.files.certPath, rootKey: created.files.keyPath, root: created.description, fingerprint: created.fingerprint, notAfter: created.notAfter}, null, 2)}\n`,
		);
		return EXIT.ok;
	}
	ctx.stdout.write(
		[
			`Created a root CA in ${dir}:`,
			`  ${created.files.certPath}  ${created.description}, valid until ${created.notAfter.slice(0, 10)}`,
			`  ${created.files.keyPath}   its key (mode 0600): whoever holds it can issue certificates every cluster trusts; keep it safe`,
			`Plug it into the clusters with 'eastwest apply … --ca ${dir}': each cluster gets its own intermediate CA (Secret istio-system/cacerts).`,
			'',
		].join('\n'),
	);
	return EXIT.ok;
}

/** The root CA of --ca DIR, loaded (with the certificate library) only when a CA is asked for. */
export async function openCaDir(dir: string): Promise<CaSource> {
	const ca = await import('../ca/index.js');
	try {
		return await ca.openRootDir(dir);
	} catch (error) {
		if (error instanceof ca.CaError) throw new UsageError(`--ca ${dir}: ${error.message}${error.hint ? `; ${error.hint}` : ''}`);
		throw error;
	}
}
