/** `-v` / `--verbose`: the kube, istioctl and helm layers write one redacted line per request or command to stderr. */
import type {CommandContext} from '../core/command-context.js';
import {setHelmLog} from '../helm/index.js';
import {setIstioctlLog} from '../istioctl/index.js';
import {redactKnown, setKubeLog} from '../kube/log.js';

export function enableVerbose(ctx: CommandContext): void {
	const sink = (line: string) => {
		ctx.stderr.write(`${line.replace(/\n/g, ' ')}\n`);
	};
	setKubeLog(sink);
	// istioctl lines also lose every secret the kube layer has seen (kubeconfig and plugin tokens).
	setIstioctlLog(line => sink(redactKnown(line)));
	setHelmLog(line => sink(redactKnown(line)));
}
