// The pages of each mode, in the order of the navigation.
import { Overview } from './overview.jsx';
import { Domains } from './domains.jsx';
import { Addresses } from './addresses.jsx';
import { Tags } from './tags.jsx';
import { IpProtection } from './ip.jsx';
import { Accounts } from './accounts.jsx';

export const accountPages = [
  { path: 'overview', title: 'nav.overview', component: Overview },
  { path: 'domains', title: 'nav.domains', component: Domains },
  { path: 'addresses', title: 'nav.addresses', component: Addresses },
  { path: 'tags', title: 'nav.tags', component: Tags },
  { path: 'ip', title: 'nav.ip', component: IpProtection },
];

export const operatorPages = [{ path: 'accounts', title: 'nav.accounts', component: Accounts }];
