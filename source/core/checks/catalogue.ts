/** The checks catalogue, in the order results are shown: per cluster (preflight, post-install, what breaks in the field), across the mesh, the plugged-in CA, istiod's view. */
import type {Check} from './types.js';
import {PREFLIGHT_CHECKS} from './preflight.js';
import {POST_INSTALL_CHECKS} from './post-install.js';
import {FIELD_CHECKS} from './field.js';
import {MESH_CHECKS} from './mesh.js';
import {CA_CHECKS} from './ca.js';
import {ISTIOD_VIEW_CHECKS} from './istiod-view.js';

export const CHECKS: readonly Check[] = [...PREFLIGHT_CHECKS, ...POST_INSTALL_CHECKS, ...FIELD_CHECKS, ...MESH_CHECKS, ...CA_CHECKS, ...ISTIOD_VIEW_CHECKS];
