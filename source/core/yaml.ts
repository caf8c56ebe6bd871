import {stringify} from 'yaml';
import type {Manifest} from './manifests.js';

/** Multi-document YAML that `kubectl apply -f -` and `istioctl install -f -` accept. */
export function toYaml(docs: readonly Manifest[]): string {
	return docs.map(doc => stringify(doc, {lineWidth: 0, aliasDuplicateObjects: false})).join('---\n');
}
