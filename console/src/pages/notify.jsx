// 异步通知: where the account's delivery events go (the pull queue or an HTTP endpoint), for the
// account or one sender address, which event types, a test delivery, and the pull queue's depth.
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Field, Loading, Table, useLoad, useSubmit } from '../ui.jsx';

const TYPES = ['Deliver:SendSuccessfully', 'Deliver:SendFailed', 'Deliver:Open', 'Deliver:Click', 'Monitor:Alarm'];

function TargetRow({ target, onChange }) {
  const { t } = useI18n();
  const [result, setResult] = useState(null);
  const test = useSubmit(async () => {
    setResult(null);
    setResult(await action('TestNotifyTarget', { Address: target.Address }));
    onChange();
  });
  const remove = useSubmit(async () => {
    await action('DeleteNotifyTarget', { Address: target.Address });
    onChange();
  });
  return (
    <tr data-target={target.Address || '*'}>
      <td>{target.Address || t('notify.account_wide')}</td>
      <td>{target.Target === 'queue' ? t('notify.queue') : target.Target}</td>
      <td>{target.Events ? target.Events.split(',').map((e) => t(`event.${e}`)).join('、') : t('notify.all_events')}</td>
      <td>
        <button type="button" class="small" onClick={test.submit} disabled={test.busy}>
          {t('notify.test')}
        </button>{' '}
        <button type="button" class="small danger" onClick={remove.submit}>
          {t('common.delete')}
        </button>
        {result && (
          <span role="status" class={result.Delivered ? 'ok' : 'error'} data-testid="test-result">
            {' '}
            {result.Delivered
              ? t('notify.test_ok', { status: result.HttpStatus || '' })
              : t('notify.test_failed', { error: result.Error || result.HttpStatus })}
          </span>
        )}
        <ErrorNote error={test.error || remove.error} />
      </td>
    </tr>
  );
}

export function Notify() {
  const { t } = useI18n();
  const state = useLoad(async () => {
    const [targets, addresses] = await Promise.all([
      action('QueryNotifyTargets'),
      action('QueryMailAddressByParam', { PageSize: 100 }),
    ]);
    return { ...targets, addresses: addresses.data.mailAddress.map((a) => a.AccountName) };
  });
  const [v, setV] = useState({ address: '', kind: 'queue', url: '', secret: '', events: [] });
  const save = useSubmit(async () => {
    await action('SetNotifyTarget', {
      Address: v.address,
      Target: v.kind === 'queue' ? 'queue' : v.url.trim(),
      Events: v.events.join(','),
      Secret: v.kind === 'queue' ? '' : v.secret,
    });
    setV({ ...v, url: '', secret: '' });
    state.reload();
  });
  const toggle = (type) =>
    setV({ ...v, events: v.events.includes(type) ? v.events.filter((e) => e !== type) : [...v.events, type] });
  return (
    <Loading state={state}>
      {state.data && (
        <>
          <p data-testid="queue-size">{t('notify.queue_size', { count: state.data.QueueSize })}</p>
          <Table
            columns={[t('addresses.address'), t('notify.target'), t('notify.events'), t('common.actions')]}
            rows={state.data.Targets}
            row={(target) => <TargetRow key={target.Address} target={target} onChange={state.reload} />}
          />
          <h2>{t('notify.set')}</h2>
          <form onSubmit={save.submit}>
            <Field id="notify-address" label={t('addresses.address')}>
              <select id="notify-address" value={v.address} onChange={(e) => setV({ ...v, address: e.currentTarget.value })}>
                <option value="">{t('notify.account_wide')}</option>
                {state.data.addresses.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="notify-kind" label={t('notify.target')}>
              <select id="notify-kind" value={v.kind} onChange={(e) => setV({ ...v, kind: e.currentTarget.value })}>
                <option value="queue">{t('notify.queue')}</option>
                <option value="url">{t('notify.url')}</option>
              </select>
            </Field>
            {v.kind === 'url' && (
              <>
                <Field id="notify-url" label={t('notify.url')}>
                  <input id="notify-url" type="url" required value={v.url} onInput={(e) => setV({ ...v, url: e.currentTarget.value })} />
                </Field>
                <Field id="notify-secret" label={t('notify.secret')}>
                  <input id="notify-secret" type="password" autocomplete="off" value={v.secret} onInput={(e) => setV({ ...v, secret: e.currentTarget.value })} />
                </Field>
              </>
            )}
            <fieldset>
              <legend>{t('notify.events')}</legend>
              {TYPES.map((type) => (
                <div class="field checkbox" key={type}>
                  <input id={`event-${type}`} type="checkbox" checked={v.events.includes(type)} onChange={() => toggle(type)} />
                  <label for={`event-${type}`}>{t(`event.${type}`)}</label>
                </div>
              ))}
              <p class="hint">{t('notify.events_hint')}</p>
            </fieldset>
            <button type="submit" disabled={save.busy}>
              {t('common.save')}
            </button>
            <ErrorNote error={save.error} />
          </form>
        </>
      )}
    </Loading>
  );
}
