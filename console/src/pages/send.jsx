// 发送邮件: a batch task from a list, an approved template, a batch address, the address type,
// a tag and tracking; then the tasks with their status and counts.
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Field, Loading, Table, formatTime, useLoad, useSubmit } from '../ui.jsx';

function Select({ id, label, value, onChange, options }) {
  return (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function Send() {
  const { t } = useI18n();
  const choices = useLoad(async () => {
    const [templates, lists, addresses, tags] = await Promise.all([
      action('QueryTemplateByParam', { PageSize: 100, Status: '1' }),
      action('QueryReceiverByParam', { PageSize: 100 }),
      action('QueryMailAddressByParam', { PageSize: 100, Sendtype: 'batch' }),
      action('QueryTagByParam', { PageSize: 100 }),
    ]);
    return {
      templates: templates.data.template.map((x) => x.TemplateName),
      lists: lists.data.receiver.map((x) => x.ReceiversName),
      addresses: addresses.data.mailAddress.map((x) => x.AccountName),
      tags: tags.data.tag.map((x) => x.TagName),
    };
  });
  const tasks = useLoad(() => action('QueryTaskByParam', { PageSize: 50 }));
  const [v, setV] = useState({ template: '', list: '', address: '', type: '1', tag: '', track: false });
  const [result, setResult] = useState(null);
  const pick = (key, options) => v[key] || options[0] || '';
  const send = useSubmit(async () => {
    const c = choices.data;
    const reply = await action('BatchSendMail', {
      TemplateName: pick('template', c.templates),
      ReceiversName: pick('list', c.lists),
      AccountName: pick('address', c.addresses),
      AddressType: v.type,
      TagName: v.tag,
      ClickTrace: v.track ? '1' : '0',
    });
    setResult(reply);
    tasks.reload();
  });
  const options = (list) => list.map((x) => [x, x]);
  return (
    <>
      <Loading state={choices}>
        {choices.data && (
          <form class="inline" onSubmit={send.submit} aria-label={t('send.new')}>
            <Select id="send-template" label={t('send.template')} value={pick('template', choices.data.templates)}
              onChange={(x) => setV({ ...v, template: x })} options={options(choices.data.templates)} />
            <Select id="send-list" label={t('send.list')} value={pick('list', choices.data.lists)}
              onChange={(x) => setV({ ...v, list: x })} options={options(choices.data.lists)} />
            <Select id="send-address" label={t('send.address')} value={pick('address', choices.data.addresses)}
              onChange={(x) => setV({ ...v, address: x })} options={options(choices.data.addresses)} />
            <Select id="send-type" label={t('send.address_type')} value={v.type} onChange={(x) => setV({ ...v, type: x })}
              options={[['1', t('send.type_sender')], ['0', t('send.type_random')]]} />
            <Select id="send-tag" label={t('send.tag')} value={v.tag} onChange={(x) => setV({ ...v, tag: x })}
              options={[['', t('send.no_tag')], ...options(choices.data.tags)]} />
            <div class="field checkbox">
              <input id="send-track" type="checkbox" checked={v.track} onChange={(e) => setV({ ...v, track: e.currentTarget.checked })} />
              <label for="send-track">{t('send.track')}</label>
            </div>
            <button type="submit" disabled={send.busy || !choices.data.templates.length || !choices.data.lists.length}>
              {t('send.submit')}
            </button>
          </form>
        )}
      </Loading>
      {choices.data && !choices.data.templates.length && <p class="hint">{t('send.need_template')}</p>}
      <ErrorNote error={send.error} />
      {result && (
        <p role="status" data-testid="send-result">
          {t('send.queued', { task: result.TaskId, skipped: result.SkippedCount })}
        </p>
      )}
      <h2>{t('send.tasks')}</h2>
      <Loading state={tasks}>
        {tasks.data && (
          <Table
            columns={[t('send.task'), t('send.template'), t('send.list'), t('send.count'), t('common.status'), t('common.created')]}
            rows={tasks.data.data.task}
            row={(task) => (
              <tr key={task.TaskId} data-task={task.TaskId}>
                <td>{task.TaskId}</td>
                <td>{task.TemplateName}</td>
                <td>{task.ReceiversName}</td>
                <td>{task.RequestCount}</td>
                <td class="task-status">{t(`task.${task.TaskStatus}`)}</td>
                <td>{formatTime(task.UtcCreateTime)}</td>
              </tr>
            )}
          />
        )}
      </Loading>
      <button type="button" class="small" onClick={tasks.reload}>
        {t('common.refresh')}
      </button>
    </>
  );
}
