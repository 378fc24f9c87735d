// IP 防护: whether API calls are limited to listed IPs, and the list.
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Loading, OneFieldForm, useLoad, useSubmit } from '../ui.jsx';

export function IpProtection() {
  const { t } = useI18n();
  const state = useLoad(async () => {
    const [protection, list] = await Promise.all([
      action('GetIpProtection'),
      action('GetIpfilterList', { PageSize: 100 }),
    ]);
    return { on: protection.IpProtection === '1', entries: list.data.ipfilters };
  });
  const [entry, setEntry] = useState('');
  const toggle = useSubmit(async () => {
    await action('UpdateIpProtection', { IpProtection: state.data.on ? '0' : '1' });
    state.reload();
  });
  const add = useSubmit(async () => {
    await action('AddIpfilter', { IpAddress: entry.trim() });
    setEntry('');
    state.reload();
  });
  const remove = useSubmit(async (id) => {
    await action('DeleteIpfilterByEdmId', { Id: id });
    state.reload();
  });
  return (
    <Loading state={state}>
      {state.data && (
        <>
          <p data-testid="ip-state">
            {state.data.on ? t('ip.enabled') : t('ip.disabled')}{' '}
            <button type="button" onClick={toggle.submit} disabled={toggle.busy}>
              {state.data.on ? t('ip.disable') : t('ip.enable')}
            </button>
          </p>
          <OneFieldForm id="ip-entry" label={t('ip.entry')} value={entry} setValue={setEntry} action={add}
            button={t('ip.add')} />
          <ErrorNote error={toggle.error || remove.error} />
          <ul>
            {state.data.entries.map((e) => (
              <li key={e.Id}>
                <code>{e.IpAddress}</code>{' '}
                <button type="button" class="small danger" onClick={() => remove.submit(null, e.Id)}>
                  {t('common.delete')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Loading>
  );
}
