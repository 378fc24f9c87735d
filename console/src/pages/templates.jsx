// 模板管理: templates with their review state; the editor with the six variables, a preview with
// sample data, a test send, and submitting for the operator's review.
import { useEffect, useRef, useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Field, Loading, Table, formatTime, useLoad, useSubmit } from '../ui.jsx';

export const VARIABLES = ['EAddr', 'UserName', 'NickName', 'Gender', 'Birthday', 'Mobile'];
const SAMPLE = { UserName: '张三', NickName: '小张', Gender: '男', Birthday: '1990-01-02', Mobile: '13800000000' };
const STATUS = { '-1': 'templates.draft', 0: 'templates.submitted', 1: 'templates.approved', 2: 'templates.rejected' };

function TemplateIndex() {
  const { t } = useI18n();
  const state = useLoad(() => action('QueryTemplateByParam', { PageSize: 100 }));
  const [name, setName] = useState('');
  const add = useSubmit(async () => {
    const created = await action('CreateTemplate', {
      TemplateName: name.trim(),
      TemplateSubject: name.trim(),
      TemplateText: '<p>{NickName}</p>',
      TemplateType: 0,
    });
    location.hash = `#/templates/${created.TemplateId}`;
  });
  return (
    <>
      <form class="inline" onSubmit={add.submit}>
        <Field id="template-new-name" label={t('templates.name')}>
          <input id="template-new-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={add.busy}>
          {t('templates.add')}
        </button>
      </form>
      <ErrorNote error={add.error} />
      <Loading state={state}>
        {state.data && (
          <Table
            columns={[t('templates.name'), t('common.status'), t('templates.comment'), t('common.created')]}
            rows={state.data.data.template}
            row={(tpl) => (
              <tr key={tpl.TemplateId} data-template={tpl.TemplateName}>
                <td>
                  <a href={`#/templates/${tpl.TemplateId}`}>{tpl.TemplateName}</a>
                </td>
                <td>{t(STATUS[tpl.TemplateStatus])}</td>
                <td>{tpl.TemplateComment}</td>
                <td>{formatTime(tpl.UtcCreatetime)}</td>
              </tr>
            )}
          />
        )}
      </Loading>
    </>
  );
}

function Preview({ id, revision }) {
  const { t } = useI18n();
  const state = useLoad(() => action('PreviewTemplate', { TemplateId: id, ...SAMPLE, Email: 'zhangsan@example.com' }), [id, revision]);
  const frame = useRef(null);
  useEffect(() => {
    // The HTML is shown in a sandboxed frame: no script of it runs, nothing of it reaches the console.
    if (frame.current && state.data) frame.current.srcdoc = state.data.Body;
  }, [state.data]);
  return (
    <section aria-labelledby="preview-title">
      <h3 id="preview-title">{t('templates.preview')}</h3>
      <Loading state={state}>
        {state.data && (
          <>
            <p data-testid="preview-subject">
              {t('templates.subject')}: {state.data.Subject}
            </p>
            {state.data.TemplateType === 1 ? (
              <pre data-testid="preview-body">{state.data.Body}</pre>
            ) : (
              <iframe ref={frame} class="preview" sandbox="" title={t('templates.preview')} data-testid="preview-frame" />
            )}
          </>
        )}
      </Loading>
    </section>
  );
}

function TestSend({ id }) {
  const { t } = useI18n();
  const addresses = useLoad(() => action('QueryMailAddressByParam', { PageSize: 100 }));
  const [v, setV] = useState({ from: '', to: '' });
  const [sent, setSent] = useState(false);
  const first = addresses.data && addresses.data.data.mailAddress.length ? addresses.data.data.mailAddress[0].AccountName : '';
  const send = useSubmit(async () => {
    setSent(false);
    const from = v.from || first;
    await action('SendTestByTemplate', { TemplateId: id, AccountName: from, Email: v.to.trim(), ...SAMPLE });
    setSent(true);
  });
  return (
    <form class="inline" onSubmit={send.submit} aria-label={t('templates.test')}>
      <Field id="test-from" label={t('addresses.address')}>
        <select id="test-from" value={v.from || first} onChange={(e) => setV({ ...v, from: e.currentTarget.value })}>
          {(addresses.data ? addresses.data.data.mailAddress : []).map((a) => (
            <option key={a.MailAddressId} value={a.AccountName}>
              {a.AccountName}
            </option>
          ))}
        </select>
      </Field>
      <Field id="test-to" label={t('templates.test_to')}>
        <input id="test-to" type="email" required value={v.to} onInput={(e) => setV({ ...v, to: e.currentTarget.value })} />
      </Field>
      <button type="submit" disabled={send.busy || !addresses.data}>
        {t('templates.test')}
      </button>
      {sent && <span role="status">{t('templates.test_sent')}</span>}
      <ErrorNote error={send.error} />
    </form>
  );
}

function Editor({ id }) {
  const { t } = useI18n();
  const state = useLoad(() => action('DescTemplate', { TemplateId: id }), [id]);
  const [v, setV] = useState(null);
  const [revision, setRevision] = useState(0);
  const body = useRef(null);
  useEffect(() => {
    if (state.data)
      setV({
        name: state.data.TemplateName,
        subject: state.data.TemplateSubject,
        nick: state.data.TemplateNickName,
        type: state.data.TemplateType,
        text: state.data.TemplateText,
      });
  }, [state.data]);
  const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
  const insert = (name) => {
    const el = body.current;
    const at = el ? el.selectionStart : v.text.length;
    setV({ ...v, text: `${v.text.slice(0, at)}{${name}}${v.text.slice(el ? el.selectionEnd : at)}` });
  };
  const save = useSubmit(async () => {
    await action('ModifyTemplate', {
      TemplateId: id,
      TemplateName: v.name,
      TemplateSubject: v.subject,
      TemplateNickName: v.nick,
      TemplateType: v.type,
      TemplateText: v.text,
    });
    state.reload();
    setRevision((r) => r + 1);
  });
  const submit = useSubmit(async () => {
    await action('SubmitTemplate', { TemplateId: id });
    state.reload();
  });
  const remove = useSubmit(async () => {
    if (!confirm(t('common.confirm_delete', { name: state.data.TemplateName }))) return;
    await action('DeleteTemplate', { TemplateId: id });
    location.hash = '#/templates';
  });
  return (
    <Loading state={state}>
      {state.data && v && (
        <>
          <p>
            <a href="#/templates">← {t('common.back')}</a>
          </p>
          <p data-testid="template-status">
            {t('common.status')}: {t(STATUS[state.data.TemplateStatus])}
            {state.data.Remark && ` · ${t('templates.comment')}: ${state.data.Remark}`}
          </p>
          <form onSubmit={save.submit}>
            <Field id="template-name" label={t('templates.name')}>
              <input id="template-name" required value={v.name} onInput={set('name')} />
            </Field>
            <Field id="template-subject" label={t('templates.subject')}>
              <input id="template-subject" required value={v.subject} onInput={set('subject')} />
            </Field>
            <Field id="template-nick" label={t('templates.nick')}>
              <input id="template-nick" value={v.nick} onInput={set('nick')} />
            </Field>
            <Field id="template-type" label={t('templates.type')}>
              <select id="template-type" value={v.type} onChange={set('type')}>
                <option value="0">HTML</option>
                <option value="1">{t('templates.text')}</option>
              </select>
            </Field>
            <div class="variables" role="group" aria-label={t('templates.variables')}>
              <span>{t('templates.variables')}:</span>
              {VARIABLES.map((name) => (
                <button type="button" class="small" key={name} onClick={() => insert(name)}>
                  {`{${name}}`}
                </button>
              ))}
            </div>
            <Field id="template-body" label={t('templates.body')}>
              <textarea id="template-body" ref={body} rows={10} required value={v.text} onInput={set('text')} />
            </Field>
            <p class="actions">
              <button type="submit" disabled={save.busy}>
                {t('common.save')}
              </button>
              {(state.data.TemplateStatus === '-1' || state.data.TemplateStatus === '2') && (
                <button type="button" onClick={submit.submit} disabled={submit.busy}>
                  {t('templates.submit')}
                </button>
              )}
              <button type="button" class="danger" onClick={remove.submit}>
                {t('common.delete')}
              </button>
            </p>
            <ErrorNote error={save.error || submit.error || remove.error} />
          </form>
          <Preview id={id} revision={revision} />
          <h3>{t('templates.test')}</h3>
          <TestSend id={id} />
        </>
      )}
    </Loading>
  );
}

export function Templates({ route }) {
  return route[1] ? <Editor id={route[1]} /> : <TemplateIndex />;
}
