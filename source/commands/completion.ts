/**
 * `eastwest completion bash|zsh|fish`: a script for the shell. Each script hands the words typed so far
 * to `eastwest __complete` (commands/complete.ts) and offers what it prints, one candidate per line;
 * a line ":files" asks the shell for file names instead.
 */
import {EXIT, UsageError} from '../core/exit-codes.js';
import type {CommandContext} from '../core/command-context.js';
import {parseFlags, parserOptions} from './args.js';
import {COMMAND_SPECS, SHELLS} from './spec.js';

type Shell = (typeof SHELLS)[number];

// The line up to the cursor is split on blanks (not on COMP_WORDBREAKS), so "--output=js" and context
// names with ":" reach eastwest whole; what bash replaces is only the part after its last "=" or ":".
const BASH = `# eastwest completion for bash. Load it: source <(eastwest completion bash)
_eastwest_complete() {
	local line=\${COMP_LINE:0:COMP_POINT}
	local -a words
	read -r -a words <<<"$line"
	if [[ \${#words[@]} -eq 0 || $line == *[[:space:]] ]]; then words+=(""); fi
	local cur=\${words[\${#words[@]}-1]}
	local out
	out=$("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null) || out=""
	local pre="" part
	if [[ $COMP_WORDBREAKS == *=* && $cur == *=* ]]; then pre=\${cur%"\${cur##*=}"}; fi
	if [[ $COMP_WORDBREAKS == *:* && $cur == *:* ]]; then
		part=\${cur%"\${cur##*:}"}
		if (( \${#part} > \${#pre} )); then pre=$part; fi
	fi
	COMPREPLY=()
	local c files=0
	while IFS= read -r c; do
		if [[ $c == :files ]]; then files=1; elif [[ -n $c ]]; then COMPREPLY+=("\${c:\${#pre}}"); fi
	done <<<"$out"
	if (( files )); then
		compopt -o filenames 2>/dev/null
		while IFS= read -r c; do COMPREPLY+=("$c"); done < <(compgen -f -- "\${cur:\${#pre}}")
	fi
	return 0
}
complete -F _eastwest_complete eastwest
`;

const ZSH = `#compdef eastwest
# eastwest completion for zsh. Load it: source <(eastwest completion zsh)
# (or save it as _eastwest in a directory of $fpath, before compinit runs)
_eastwest() {
	local -a cands
	local out c files=0
	out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT-1]}" "$PREFIX" 2>/dev/null)
	for c in "\${(@f)out}"; do
		if [[ $c == :files ]]; then files=1; elif [[ -n $c ]]; then cands+=("$c"); fi
	done
	(( \${#cands} )) && compadd -- "\${cands[@]}"
	if (( files )); then
		compset -P '*='
		_files
	fi
	return 0
}
if (( $+functions[compdef] )); then compdef _eastwest eastwest; fi
`;

const FISH = `# eastwest completion for fish. Load it: eastwest completion fish | source
# (or save it as ~/.config/fish/completions/eastwest.fish)
function __eastwest_complete
	set -l words (commandline -opc)
	set -l cur (commandline -ct)
	set -l cmd $words[1]
	set -e words[1]
	for c in (command $cmd __complete $words "$cur" 2>/dev/null)
		if test "$c" = ":files"
			__fish_complete_path (string replace -r '^--?[^=]*=' '' -- "$cur")
		else
			echo $c
		end
	end
end
complete -c eastwest -f -k -a '(__eastwest_complete)'
`;

export const SCRIPTS: Record<Shell, string> = {bash: BASH, zsh: ZSH, fish: FISH};

/** `eastwest completion` has no flags of its own. */
export const FLAGS = parserOptions(COMMAND_SPECS.completion.flags);

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	const {positionals} = parseFlags('completion', args, FLAGS, true);
	const [shell, extra] = positionals;
	if (shell === undefined || !(SHELLS as readonly string[]).includes(shell) || extra !== undefined) {
		const what = shell === undefined ? 'needs a shell' : extra !== undefined ? `takes one shell; unexpected "${extra}"` : `does not know the shell "${shell}"`;
		throw new UsageError(`completion ${what}: bash, zsh or fish (e.g. source <(eastwest completion bash))`);
	}
	ctx.stdout.write(SCRIPTS[shell as Shell]);
	return EXIT.ok;
}
