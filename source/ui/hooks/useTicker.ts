import {useEffect, useState} from 'react';

/** A counter that advances every `ms` while active: drives spinners and elapsed times. */
export function useTicker(active: boolean, ms = 120): number {
	const [tick, setTick] = useState(0);
	useEffect(() => {
		if (!active) return;
		const t = setInterval(() => setTick(n => n + 1), ms);
		return () => clearInterval(t);
	}, [active, ms]);
	return tick;
}
