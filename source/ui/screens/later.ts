/**
 * Everything the wizard shows after its first screen, in one module that the App loads right after the
 * first frame is drawn (the topology screen needs none of it): the other screens, and through them the
 * checks catalogue, the trust rules and the teardown planner.
 */
export {ChecksScreen} from './ChecksScreen.js';
export {ContextsScreen} from './ContextsScreen.js';
export {DoneScreen} from './DoneScreen.js';
export {IdsScreen} from './IdsScreen.js';
export {NoKubeconfigScreen} from './NoKubeconfigScreen.js';
export {TrustScreen} from './TrustScreen.js';
export {RemoveProfilesScreen} from './remove/RemoveProfilesScreen.js';
export {RemoveReviewScreen} from './remove/RemoveReviewScreen.js';
export {RemoveDoneScreen} from './remove/RemoveDoneScreen.js';
export {buildTeardown} from '../../core/teardown.js';
