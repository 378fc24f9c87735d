// 发信地址: sender addresses with their type, SMTP password (the policy checked as one types),
// reply-to and its verification, and the monthly deletion limit.
import { useEffect, useState } from 'preact/hooks';
import { action, passwordPolicy } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Field, Loading, formatTime, useLoad, useSubmit } from '../ui.jsx';

function PasswordForm({ id, onDone }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [verdict, setVerdict] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!password) return setVerdict(null);
    let live = true;
    const timer = setTimeout(() => {
      passwordPolicy(password)
        .then((v) => live && setVerdict(v))
        .catch(() => live && setVerdict(null));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [password]);
  const save = useSubmit(async () => {
    await action('ModifyMailAddress', { MailAddressId: id, Password: password });
    setSaved(true);
    setPassword('');
    onDone();
  });
  const fieldId = `password-${id}`;
  return (
    <form class="inline" onSubmit={save.submit}>
      <Field
        id={fieldId}
        label={t('addresses.set_password')}
        hint={
          verdict && (
            <span id={`${fieldId}-hint`} class={verdict.ok ? 'ok' : 'error'} role="status" data-testid="policy">
              {verdict.ok ? t('addresses.password_ok') : verdict.reason}
            </span>
          )
        }
      >
        <input
          id={fieldId}
          type="password"
          autocomplete="new-password"
          value={password}
          aria-describedby={`${fieldId}-hint`}
          onInput={(e) => {
            setSaved(false);
            setPassword(e.currentTarget.value);
          }}
        />
      </Field>
      <button type="submit" disabled={save.busy || !password}>
        {t('common.save')}
      </button>
      {saved && <span role="status">{t('addresses.password_saved')}</span>}
      <ErrorNote error={save.error} />
    </form>
  );
}

function AddressRow({ a, onChange }) {
  const { t } = useI18n();
  const [reply, setReply] = useState(a.ReplyAddress);
  const [sent, setSent] = useState(false);
  const setReplyTo = useSubmit(async () => {
    await action('ModifyMailAddress', { MailAddressId: a.MailAddressId, ReplyAddress: reply.trim() });
    setSent(true);
    onChange();
  });
  const resend = useSubmit(async () => {
    await action('CheckReplyToMailAddress', { MailAddressId: a.MailAddressId, Lang: 'zh-cn' });
    setSent(true);
  });
  const remove = useSubmit(async () => {
    if (!confirm(t('common.confirm_delete', { name: a.AccountName }))) return;
    await action('DeleteMailAddress', { MailAddressId: a.MailAddressId });
    onChange();
  });
  return (
    <li class="address" data-address={a.AccountName}>
      <h2>{a.AccountName}</h2>
      <p>
        {t('addresses.type')}: {a.Sendtype === 'batch' ? t('addresses.batch') : t('addresses.trigger')} ·{' '}
        {t('common.created')}: {formatTime(Date.parse(a.CreateTime) / 1000)}
        {a.DomainStatus !== '0' && <> · {t('addresses.domain_unverified')}</>}
      </p>
      <PasswordForm id={a.MailAddressId} onDone={onChange} />
      <form class="inline" onSubmit={setReplyTo.submit}>
        <Field id={`reply-${a.MailAddressId}`} label={t('addresses.reply_to')}>
          <input id={`reply-${a.MailAddressId}`} type="email" value={reply} onInput={(e) => setReply(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={setReplyTo.busy || !reply}>
          {t('common.save')}
        </button>
        {a.ReplyAddress && (
          <span>
            {a.ReplyStatus === '0' ? t('addresses.reply_verified') : t('addresses.reply_pending')}
          </span>
        )}
        {a.ReplyAddress && a.ReplyStatus !== '0' && (
          <button type="button" class="small" onClick={resend.submit} disabled={resend.busy}>
            {t('addresses.reply_resend')}
          </button>
        )}
        {sent && <span role="status">{t('addresses.reply_sent')}</span>}
      </form>
      <ErrorNote error={setReplyTo.error || resend.error} />
      <button type="button" class="danger" onClick={remove.submit} disabled={remove.busy}>
        {t('common.delete')}
      </button>
      <ErrorNote error={remove.error} />
    </li>
  );
}

export function Addresses() {
  const { t } = useI18n();
  const state = useLoad(() => action('QueryMailAddressByParam', { PageSize: 100 }));
  const [values, setValues] = useState({ address: '', type: 'trigger' });
  const add = useSubmit(async () => {
    await action('CreateMailAddress', { AccountName: values.address.trim(), Sendtype: values.type });
    setValues({ ...values, address: '' });
    state.reload();
  });
  const rows = state.data ? state.data.data.mailAddress : [];
  return (
    <>
      <form class="inline" onSubmit={add.submit}>
        <Field id="new-address" label={t('addresses.address')}>
          <input
            id="new-address"
            type="email"
            required
            value={values.address}
            onInput={(e) => setValues({ ...values, address: e.currentTarget.value })}
          />
        </Field>
        <Field id="new-address-type" label={t('addresses.type')}>
          <select id="new-address-type" value={values.type} onChange={(e) => setValues({ ...values, type: e.currentTarget.value })}>
            <option value="trigger">{t('addresses.trigger')}</option>
            <option value="batch">{t('addresses.batch')}</option>
          </select>
        </Field>
        <button type="submit" disabled={add.busy}>
          {t('addresses.add')}
        </button>
      </form>
      <ErrorNote error={add.error} />
      <Loading state={state}>
        {state.data && (
          <p data-testid="deletions">
            {t('addresses.deletions', { used: state.data.DeletionsThisMonth, limit: state.data.DeletionLimit })}
          </p>
        )}
        {rows.length === 0 && <p>{t('common.none')}</p>}
        <ul class="plain">
          {rows.map((a) => (
            <AddressRow key={a.MailAddressId} a={a} onChange={state.reload} />
          ))}
        </ul>
      </Loading>
    </>
  );
}
