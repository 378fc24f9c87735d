// Operator mode: the accounts, their quotas and status (the admin API's /v1/accounts).
import { useState } from 'preact/hooks';
import { admin } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Loading, OneFieldForm, Table, useLoad, useSubmit } from '../ui.jsx';

export function Accounts() {
  const { t } = useI18n();
  const state = useLoad(() => admin('GET', '/v1/accounts'));
  const [name, setName] = useState('');
  const add = useSubmit(async () => {
    await admin('POST', '/v1/accounts', { name: name.trim() });
    setName('');
    state.reload();
  });
  const setStatus = useSubmit(async (a) => {
    await admin('PATCH', `/v1/accounts/${encodeURIComponent(a.name)}`, {
      status: a.status === 'normal' ? 'suspended' : 'normal',
    });
    state.reload();
  });
  const rows = state.data || [];
  return (
    <>
      <OneFieldForm id="account-name" label={t('signin.account')} value={name} setValue={setName} action={add}
        button={t('common.create')} />
      <ErrorNote error={setStatus.error} />
      <Loading state={state}>
        <Table
          columns={[
            t('signin.account'),
            t('common.status'),
            t('overview.daily_quota'),
            t('overview.monthly_quota'),
            t('common.actions'),
          ]}
          rows={rows}
          row={(a) => (
              <tr key={a.name} data-account={a.name}>
                <td>{a.name}</td>
                <td>{a.status === 'normal' ? t('overview.normal') : t('overview.suspended')}</td>
                <td>{a.daily_quota}</td>
                <td>{a.monthly_quota}</td>
                <td>
                  <button type="button" class="small" onClick={() => setStatus.submit(null, a)}>
                    {a.status === 'normal' ? t('accounts.suspend') : t('accounts.resume')}
                  </button>
                </td>
              </tr>
          )}
        />
      </Loading>
    </>
  );
}
