// The pages of each mode, in the order of the navigation.
import { Overview } from './overview.jsx';
import { Domains } from './domains.jsx';
import { Addresses } from './addresses.jsx';
import { Tags } from './tags.jsx';
import { Lists } from './lists.jsx';
import { Templates } from './templates.jsx';
import { Send } from './send.jsx';
import { IpProtection } from './ip.jsx';
import { Notify } from './notify.jsx';
import { Monitor } from './monitor.jsx';
import { Details, Invalid, SendStats, Suppression, TrackStats } from './stats.jsx';
import { Accounts } from './accounts.jsx';
import { Review } from './review.jsx';
import { Health, Queue } from './queue.jsx';

export const accountPages = [
  { path: 'overview', title: 'nav.overview', component: Overview },
  { path: 'domains', title: 'nav.domains', component: Domains },
  { path: 'addresses', title: 'nav.addresses', component: Addresses },
  { path: 'tags', title: 'nav.tags', component: Tags },
  { path: 'lists', title: 'nav.lists', component: Lists },
  { path: 'templates', title: 'nav.templates', component: Templates },
  { path: 'send', title: 'nav.send', component: Send },
  { path: 'notify', title: 'nav.notify', component: Notify },
  { path: 'ip', title: 'nav.ip', component: IpProtection },
  { path: 'stats', title: 'nav.stats_send', component: SendStats },
  { path: 'tracking', title: 'nav.stats_track', component: TrackStats },
  { path: 'details', title: 'nav.details', component: Details },
  { path: 'invalid', title: 'nav.invalid', component: Invalid },
  { path: 'suppression', title: 'nav.suppression', component: Suppression },
  { path: 'monitor', title: 'nav.monitor', component: Monitor },
];

export const operatorPages = [
  { path: 'accounts', title: 'nav.accounts', component: Accounts },
  { path: 'review', title: 'nav.review', component: Review },
  { path: 'queue', title: 'nav.queue', component: Queue },
  { path: 'health', title: 'nav.health', component: Health },
];
