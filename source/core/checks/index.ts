/**
 * The checks catalogue: pure rules over facts a collector gathered from each cluster.
 * Preflight runs before anything changes; post-install verifies what the plan should have produced.
 * Facts left undefined were not collected: their checks are skipped, never passed.
 */
export type {
	CaBundleFacts,
	CacertsFacts,
	ClusterFacts,
	ExposeFacts,
	GatewayDeploymentLike,
	GatewayFacts,
	NamespaceFacts,
	PeerSecretFact,
	PermissionFact,
	PolicyRuleFact,
	ReaderRbacFacts,
	ReaderRoleFact,
	RemoteSecretsFacts,
} from './facts.js';
export type {Check, CheckLevel, CheckPhase, CheckResult, CheckStatus, ClusterCheck, MeshCheck, Resolution, ResolvingFlag, Voice} from './types.js';
export {MIN_KUBERNETES_MINOR, formatPermission, kubernetesMinor, requiredPermissions} from './helpers.js';
export {CA_EXPIRY_WARN_DAYS} from './ca.js';
export {CHECKS} from './catalogue.js';
export {
	SKIPPED_UNREACHABLE,
	WIRING_CHECK_IDS,
	checksFor,
	groupResults,
	resolvedBy,
	runChecks,
	summarize,
	summaryText,
	wiringSummary,
	type CheckSummary,
	type ResultGroup,
} from './run.js';
