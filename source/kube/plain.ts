/** Plain JSON data (client-node returns model instances with Date fields). */
export function plain<T>(value: unknown): T {
	return JSON.parse(JSON.stringify(value)) as T;
}
