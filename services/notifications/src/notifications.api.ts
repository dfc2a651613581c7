import { APP_IDS, type ServiceApi } from '@flock/kit';

export const api: ServiceApi = { appId: APP_IDS.notifications, tag: 'notifications', routes: [] };
