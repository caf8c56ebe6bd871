/** A small CA made once with openssl for tests (EC P-256, valid for a century): a root, an intermediate as Istio plugs it in, and an unrelated root. Test-only keys. */
export const FIXTURE_ROOT_CERT =
	'-----BEGIN CERTIFICATE-----\nMIIBrDCCAVGgAwIBAgIUF39RVZoXUx05SmP9lyTsrMLvz+0wCgYIKoZIzj0EAwIw\nIjEOMAwGA1UECgwFSXN0aW8xEDAOBgNVBAMMB1Jvb3QgQ0EwIBcNMjYxMjAyMDA0\nOTAzWhgPMjEyNjExMDgwMDQ5MDNaMCIxDjAMBgNVBAoMBUlzdGlvMRAwDgYDVQQD\nDAdSb290IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEVWDQM4OWEzcrX49A\neVUns5kewV+FRbbpRvXtPyGMDqWcEI62Twk9H+slMoIEy7bW4DwQlUhT1epZlQoR\nJREH46NjMGEwHwYDVR0jBBgwFoAUFfFF5VHCorwEk/vX8Q6wZdNnfwAwDwYDVR0T\nAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAuQwHQYDVR0OBBYEFBXxReVRwqK8BJP7\n1/EOsGXTZ38AMAoGCCqGSM49BAMCA0kAMEYCIQCBb166TaXh9dq+2dLc9hJ2w7Jq\n40fErZG2lKrVopRYkAIhAJML5W1FsrxMmIVVZkbAVx9z6FoeFxGiG7G/aLuKa6wZ\n-----END CERTIFICATE-----\n';
export const FIXTURE_ROOT_KEY =
	'-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRNjoBIlmPDzOjVHE\nax9Lk7HeHZF637qvbkZtleW0bcyhRANCAARVYNAzg5YTNytfj0B5VSezmR7BX4VF\ntulG9e0/IYwOpZwQjrZPCT0f6yUyggTLttbgPBCVSFPV6lmVChElEQfj\n-----END PRIVATE KEY-----\n';
export const FIXTURE_CA_CERT =
	'-----BEGIN CERTIFICATE-----\nMIIB7jCCAZSgAwIBAgIUJ35ICs7irLAnHjRr8t4qWmekJZ8wCgYIKoZIzj0EAwIw\nIjEOMAwGA1UECgwFSXN0aW8xEDAOBgNVBAMMB1Jvb3QgQ0EwIBcNMjYxMjAyMDA0\nOTA0WhgPMjEyNTA2MjYwMDQ5MDRaMDwxDjAMBgNVBAoMBUlzdGlvMRgwFgYDVQQD\nDA9JbnRlcm1lZGlhdGUgQ0ExEDAOBgNVBAcMB2ZpeHR1cmUwWTATBgcqhkjOPQIB\nBggqhkjOPQMBBwNCAAQkpPsaUJHpHnj0ImdClcRbo0SbrGVFycnSWcMVrSxlKDoP\nWcPnTLL/rchJpAiX8PFXOqpN9Y7sGOr0x7ApMCZNo4GLMIGIMBIGA1UdEwEB/wQI\nMAYBAf8CAQAwDgYDVR0PAQH/BAQDAgLkMB0GA1UdDgQWBBTphpNuEK1sogvPxmj1\noQ0NR3bZ/TAfBgNVHSMEGDAWgBQV8UXlUcKivAST+9fxDrBl02d/ADAiBgNVHREE\nGzAZghdpc3Rpb2QuaXN0aW8tc3lzdGVtLnN2YzAKBggqhkjOPQQDAgNIADBFAiEA\nzFSpyUjazQAFEIJsxeXhp5dGumqQXzWmLpaTTE+tDTkCIFbHMxiRXtUsscBY/zmM\nQlylacnAvKyf0i0MiwqRhAiX\n-----END CERTIFICATE-----\n';
export const FIXTURE_CA_KEY =
	'-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsIdhBwAepaqAfg1M\ndiGBS7Pq0HQOdC7uY1sfPOhHsPShRANCAAQkpPsaUJHpHnj0ImdClcRbo0SbrGVF\nycnSWcMVrSxlKDoPWcPnTLL/rchJpAiX8PFXOqpN9Y7sGOr0x7ApMCZN\n-----END PRIVATE KEY-----\n';
export const FIXTURE_OTHER_ROOT_CERT =
	'-----BEGIN CERTIFICATE-----\nMIIBtzCCAV2gAwIBAgIUE8xHDZoH+uCAoBSNQigpMYSt2X4wCgYIKoZIzj0EAwIw\nKDEOMAwGA1UECgwFT3RoZXIxFjAUBgNVBAMMDU90aGVyIFJvb3QgQ0EwIBcNMjYx\nMjAyMDA0OTA0WhgPMjEyNjExMDgwMDQ5MDRaMCgxDjAMBgNVBAoMBU90aGVyMRYw\nFAYDVQQDDA1PdGhlciBSb290IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\nmjTSxc8yo46MfrjvGIXmawmd20aP9DCQ8lzochTnUOu2rcWPt/i5laoyLhRPrtp7\nNdJE9qQNYK9ARCI4ngn8lKNjMGEwHQYDVR0OBBYEFNXO3BpqOFisDXwHxrMzmB2l\nI8nCMB8GA1UdIwQYMBaAFNXO3BpqOFisDXwHxrMzmB2lI8nCMA8GA1UdEwEB/wQF\nMAMBAf8wDgYDVR0PAQH/BAQDAgIEMAoGCCqGSM49BAMCA0gAMEUCIEuCNwoOY2OB\nKsrqDQbp6rnKgNKvNHQ4kYTbuJQEJQO0AiEAunUpo6f6uu2cFH0alAYgFCDyovSW\nZoLw4nDnu0m8uuY=\n-----END CERTIFICATE-----\n';
export const FIXTURE_OTHER_ROOT_KEY =
	'-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqKYhj9RKxL75kSxJ\nFjRFa2ykfNv4CeV40d+b3zGf2/mhRANCAASaNNLFzzKjjox+uO8YheZrCZ3bRo/0\nMJDyXOhyFOdQ67atxY+3+LmVqjIuFE+u2ns10kT2pA1gr0BEIjieCfyU\n-----END PRIVATE KEY-----\n';

/** Secret istio-system/cacerts data (base64) of the fixture intermediate; `root` swaps in another root certificate. */
export function fixtureCacertsData(root: string = FIXTURE_ROOT_CERT): Record<string, string> {
	const b64 = (s: string) => Buffer.from(s).toString('base64');
	return {
		'ca-cert.pem': b64(FIXTURE_CA_CERT),
		'ca-key.pem': b64(FIXTURE_CA_KEY),
		'root-cert.pem': b64(root),
		'cert-chain.pem': b64(FIXTURE_CA_CERT + root),
	};
}

/** cacerts data of another, self-consistent CA: the unrelated root signs as itself (its own chain and key). */
export function otherCacertsData(): Record<string, string> {
	const b64 = (s: string) => Buffer.from(s).toString('base64');
	return {
		'ca-cert.pem': b64(FIXTURE_OTHER_ROOT_CERT),
		'ca-key.pem': b64(FIXTURE_OTHER_ROOT_KEY),
		'root-cert.pem': b64(FIXTURE_OTHER_ROOT_CERT),
		'cert-chain.pem': b64(FIXTURE_OTHER_ROOT_CERT),
	};
}
