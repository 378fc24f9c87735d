// Operator mode: the accounts (the admin API's /v1/accounts): create, quotas, suspend or resume,
// the console password.
import { useState } from 'preact/hooks';
import { admin } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Field, Loading, OneFieldForm, Table, useLoad, useSubmit } from '../ui.jsx';

function AccountRow({ a, onChange }) {
  const { t } = useI18n();
  const [quota, setQuota] = useState({ daily: String(a.daily_quota), monthly: String(a.monthly_quota) });
  const [password, setPassword] = useState('');
  const [saved, setSaved] = useState('');
  const path = `/v1/accounts/${encodeURIComponent(a.name)}`;
  const setStatus = useSubmit(async () => {
    await admin('PATCH', path, { status: a.status === 'normal' ? 'suspended' : 'normal' });
    onChange();
  });
  const saveQuota = useSubmit(async () => {
    await admin('PATCH', path, { daily_quota: Number(quota.daily), monthly_quota: Number(quota.monthly) });
    setSaved(t('accounts.quota_saved'));
    onChange();
  });
  const savePassword = useSubmit(async () => {
    await admin('PUT', `${path}/console-password`, { password });
    setPassword('');
    setSaved(t('addresses.password_saved'));
  });
  const id = (k) => `${k}-${a.name}`;
  return (
    <tr data-account={a.name}>
      <td>{a.name}</td>
      <td>{a.status === 'normal' ? t('overview.normal') : t('overview.suspended')}</td>
      <td>
        <form class="inline" onSubmit={saveQuota.submit}>
          <Field id={id('daily')} label={t('overview.daily_quota')}>
            <input id={id('daily')} type="number" min="0" value={quota.daily} onInput={(e) => setQuota({ ...quota, daily: e.currentTarget.value })} />
          </Field>
          <Field id={id('monthly')} label={t('overview.monthly_quota')}>
            <input id={id('monthly')} type="number" min="0" value={quota.monthly} onInput={(e) => setQuota({ ...quota, monthly: e.currentTarget.value })} />
          </Field>
          <button type="submit" class="small">
            {t('common.save')}
          </button>
        </form>
      </td>
      <td>
        <form class="inline" onSubmit={savePassword.submit}>
          <Field id={id('password')} label={t('signin.password')}>
            <input id={id('password')} type="password" autocomplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </Field>
          <button type="submit" class="small">
            {t('common.save')}
          </button>
        </form>
        {saved && <span role="status">{saved}</span>}
        <ErrorNote error={setStatus.error || saveQuota.error || savePassword.error} />
      </td>
      <td>
        <button type="button" class="small" onClick={setStatus.submit}>
          {a.status === 'normal' ? t('accounts.suspend') : t('accounts.resume')}
        </button>
      </td>
    </tr>
  );
}

export function Accounts() {
  const { t } = useI18n();
  const state = useLoad(() => admin('GET', '/v1/accounts'));
  const [name, setName] = useState('');
  const add = useSubmit(async () => {
    await admin('POST', '/v1/accounts', { name: name.trim() });
    setName('');
    state.reload();
  });
  return (
    <>
      <OneFieldForm id="account-name" label={t('signin.account')} value={name} setValue={setName} action={add}
        button={t('common.create')} />
      <Loading state={state}>
        <div class="scroll">
          <Table
            columns={[t('signin.account'), t('common.status'), t('accounts.quotas'), t('signin.password'), t('common.actions')]}
            rows={state.data || []}
            row={(a) => <AccountRow key={a.name} a={a} onChange={state.reload} />}
          />
        </div>
      </Loading>
    </>
  );
}
