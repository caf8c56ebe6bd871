/**
 * Whether eastwest draws in colour: one reading of --no-color, FORCE_COLOR and NO_COLOR for the Ink screens
 * (through chalk) and every other front-end. Pure.
 *
 * - `--no-color` always turns colour off.
 * - FORCE_COLOR, when set, decides next (as Node and chalk read it): `0` or `false` off, anything else on.
 * - NO_COLOR, present and not empty (no-color.org), turns colour off.
 * - Otherwise colour is on where the output can show it (chalk looks at the terminal).
 */
export function colorEnabled(env: Readonly<Record<string, string | undefined>>, noColorFlag: boolean): boolean {
	if (noColorFlag) return false;
	const force = env.FORCE_COLOR;
	if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
	return (env.NO_COLOR ?? '') === '';
}
