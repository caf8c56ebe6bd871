/** Default deadlines, one home for every front-end: the commands' --timeout defaults and the wizard's runs. */

/** A run's deadline for every wait (rollout, address) and istioctl's --readiness-timeout (`apply --timeout`). */
export const DEFAULT_RUN_TIMEOUT_MS = 5 * 60_000;

/** A removal's deadline for every step (`remove --timeout`). */
export const DEFAULT_REMOVE_TIMEOUT_MS = 2 * 60_000;
