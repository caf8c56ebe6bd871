/** The wizard's real services: kubeconfig, probes and the engine, wired for one terminal session. */
import type {WizardServices} from './ui/services.js';

export interface ServiceFlags {
	kubeconfig?: string;
	istioctl?: string;
	env: NodeJS.ProcessEnv;
}

export async function createWizardServices(_flags: ServiceFlags): Promise<WizardServices> {
	throw new Error('cluster access and the engine are not wired into the wizard in this build; use eastwest apply');
}
