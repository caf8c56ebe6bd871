export type ProfileErrorKind = 'invalid-name' | 'not-found' | 'exists' | 'corrupt' | 'newer-schema' | 'locked';

/** A profile store error already in words a person can act on (one line). */
export class ProfileStoreError extends Error {
	constructor(
		readonly kind: ProfileErrorKind,
		message: string,
	) {
		super(message);
		this.name = 'ProfileStoreError';
	}
}
