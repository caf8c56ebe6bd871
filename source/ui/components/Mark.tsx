import React, {type ReactNode} from 'react';
import {Text} from 'ink';
import {MARKS, useTheme, type MarkStatus} from '../theme.js';

/**
 * A status symbol in its colour (theme.ts MARKS). With children, the text follows the symbol in the same colour;
 * `bold` makes both bold.
 */
export function Mark({status, children, bold}: {status: MarkStatus; children?: ReactNode; bold?: boolean}) {
	const theme = useTheme();
	const {symbol, tone} = MARKS[status];
	if (children === undefined)
		return (
			<Text color={theme.tone(tone)} bold={bold}>
				{theme.symbols[symbol]}
			</Text>
		);
	return (
		<Text color={theme.tone(tone)} bold={bold}>
			{theme.symbols[symbol]} {children}
		</Text>
	);
}
