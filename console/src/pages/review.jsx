// Operator mode: templates waiting for review, approved or rejected with a reason.
import { useState } from 'preact/hooks';
import { admin } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Loading, Table, useLoad, useSubmit } from '../ui.jsx';

function ReviewRow({ tpl, onDone }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const decide = useSubmit(async (verdict) => {
    await admin('POST', `/v1/templates/${encodeURIComponent(tpl.account)}/${encodeURIComponent(tpl.name)}/${verdict}`, { reason });
    onDone();
  });
  const id = `reason-${tpl.id}`;
  return (
    <tr data-template={tpl.name}>
      <td>{tpl.account}</td>
      <td>{tpl.name}</td>
      <td>{tpl.subject}</td>
      <td>
        <label for={id} class="visually-hidden">
          {t('templates.reason')}
        </label>
        <input id={id} value={reason} placeholder={t('templates.reason')} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="button" class="small" onClick={() => decide.submit(null, 'approve')}>
          {t('templates.approve')}
        </button>{' '}
        <button type="button" class="small danger" onClick={() => decide.submit(null, 'reject')}>
          {t('templates.reject')}
        </button>
        <ErrorNote error={decide.error} />
      </td>
    </tr>
  );
}

export function Review() {
  const { t } = useI18n();
  const state = useLoad(() => admin('GET', '/v1/templates'));
  const waiting = (state.data || []).filter((tpl) => tpl.status === 'submitted');
  return (
    <Loading state={state}>
      <Table
        columns={[t('templates.account'), t('templates.name'), t('templates.subject'), t('common.actions')]}
        rows={waiting}
        row={(tpl) => <ReviewRow key={tpl.id} tpl={tpl} onDone={state.reload} />}
      />
    </Loading>
  );
}
