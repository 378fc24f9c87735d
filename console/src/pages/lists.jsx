// 收件人列表: recipient lists with their alias; one list's upload (TXT/CSV, a report per row),
// its members, and deleting members or the list.
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Field, Loading, Table, formatTime, useLoad, useSubmit } from '../ui.jsx';

function ListIndex() {
  const { t } = useI18n();
  const state = useLoad(() => action('QueryReceiverByParam', { PageSize: 100 }));
  const [v, setV] = useState({ name: '', alias: '', desc: '' });
  const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
  const add = useSubmit(async () => {
    const created = await action('CreateReceiver', { ReceiversName: v.name.trim(), ReceiversAlias: v.alias.trim(), Desc: v.desc });
    location.hash = `#/lists/${created.ReceiverId}`;
  });
  return (
    <>
      <form class="inline" onSubmit={add.submit}>
        <Field id="list-name" label={t('lists.name')}>
          <input id="list-name" required value={v.name} onInput={set('name')} />
        </Field>
        <Field id="list-alias" label={t('lists.alias')}>
          <input id="list-alias" type="email" required value={v.alias} onInput={set('alias')} />
        </Field>
        <Field id="list-desc" label={t('lists.desc')}>
          <input id="list-desc" value={v.desc} onInput={set('desc')} />
        </Field>
        <button type="submit" disabled={add.busy}>
          {t('lists.add')}
        </button>
      </form>
      <ErrorNote error={add.error} />
      <Loading state={state}>
        {state.data && (
          <Table
            columns={[t('lists.name'), t('lists.alias'), t('lists.count'), t('common.created')]}
            rows={state.data.data.receiver}
            row={(l) => (
              <tr key={l.ReceiverId}>
                <td>
                  <a href={`#/lists/${l.ReceiverId}`}>{l.ReceiversName}</a>
                </td>
                <td>{l.ReceiversAlias}</td>
                <td>{l.Count}</td>
                <td>{formatTime(l.UtcCreateTime)}</td>
              </tr>
            )}
          />
        )}
      </Loading>
    </>
  );
}

function UploadReport({ report }) {
  const { t } = useI18n();
  return (
    <section aria-label={t('lists.report')} data-testid="upload-report">
      <p>
        {t('lists.report_counts', {
          rows: report.RowCount,
          added: report.AddedCount,
          updated: report.UpdatedCount,
          errors: report.ErrorCount,
        })}
      </p>
      {report.ErrorCount > 0 && (
        <Table
          columns={[t('lists.line'), t('lists.email'), t('lists.reason')]}
          rows={report.Data.Detail}
          row={(e) => (
            <tr key={`${e.Line}-${e.Email}`}>
              <td>{e.Line}</td>
              <td>{e.Email}</td>
              <td>{e.ErrMessage}</td>
            </tr>
          )}
        />
      )}
    </section>
  );
}

function ListDetail({ id }) {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const [report, setReport] = useState(null);
  const lists = useLoad(() => action('QueryReceiverByParam', { PageSize: 100 }), [id]);
  const members = useLoad(() => action('QueryReceiverDetail', { ReceiverId: id, PageSize: 100, KeyWord: keyword }), [id, keyword]);
  const list = lists.data && lists.data.data.receiver.find((l) => l.ReceiverId === id);
  const upload = useSubmit(async (file) => {
    setReport(null);
    setReport(await action('UploadReceivers', { ReceiverId: id, Content: await file.text() }));
    members.reload();
    lists.reload();
  });
  const removeMember = useSubmit(async (email) => {
    await action('DeleteReceiverDetail', { ReceiverId: id, Email: email });
    members.reload();
    lists.reload();
  });
  const removeList = useSubmit(async () => {
    if (!confirm(t('common.confirm_delete', { name: list.ReceiversName }))) return;
    await action('DeleteReceiver', { ReceiverId: id });
    location.hash = '#/lists';
  });
  if (lists.data && !list) return <ErrorNote error={{ status: 404 }} />;
  return (
    <Loading state={lists}>
      {list && (
        <>
          <p>
            <a href="#/lists">← {t('common.back')}</a>
          </p>
          <h2 data-testid="list-name">
            {list.ReceiversName} &lt;{list.ReceiversAlias}&gt;
          </h2>
          <p data-testid="list-count">{t('lists.count')}: {list.Count}</p>
          <Field id="list-file" label={t('lists.upload')} hint={<span class="hint">{t('lists.upload_hint')}</span>}>
            <input
              id="list-file"
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              disabled={upload.busy}
              onChange={(e) => e.currentTarget.files[0] && upload.submit(null, e.currentTarget.files[0])}
            />
          </Field>
          <ErrorNote error={upload.error} />
          {report && <UploadReport report={report} />}
          <h3>{t('lists.members')}</h3>
          <Field id="member-search" label={t('lists.search')}>
            <input id="member-search" type="search" value={keyword} onInput={(e) => setKeyword(e.currentTarget.value)} />
          </Field>
          <Loading state={members}>
            {members.data && (
              <Table
                columns={[t('lists.email'), 'UserName', 'NickName', t('common.actions')]}
                rows={members.data.data.detail}
                row={(m) => {
                  const data = JSON.parse(m.Data || '{}');
                  return (
                    <tr key={m.Email} data-email={m.Email}>
                      <td>{m.Email}</td>
                      <td>{data.UserName}</td>
                      <td>{data.NickName}</td>
                      <td>
                        <button type="button" class="small danger" onClick={() => removeMember.submit(null, m.Email)}>
                          {t('common.delete')}
                        </button>
                      </td>
                    </tr>
                  );
                }}
              />
            )}
          </Loading>
          <ErrorNote error={removeMember.error || removeList.error} />
          <button type="button" class="danger" onClick={removeList.submit}>
            {t('lists.delete')}
          </button>
        </>
      )}
    </Loading>
  );
}

export function Lists({ route }) {
  return route[1] ? <ListDetail id={route[1]} /> : <ListIndex />;
}
