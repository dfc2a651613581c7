import { APP_IDS, type ServiceApi } from '@flock/kit';

export const api: ServiceApi = { appId: APP_IDS.analytics, tag: 'analytics', routes: [] };
