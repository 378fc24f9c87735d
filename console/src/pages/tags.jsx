// 邮件标签: the account's tags.
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Field, Loading, Table, useLoad, useSubmit } from '../ui.jsx';

export function Tags() {
  const { t } = useI18n();
  const state = useLoad(() => action('QueryTagByParam', { PageSize: 100 }));
  const [values, setValues] = useState({ name: '', description: '' });
  const add = useSubmit(async () => {
    await action('CreateTag', { TagName: values.name.trim(), TagDescription: values.description });
    setValues({ name: '', description: '' });
    state.reload();
  });
  const remove = useSubmit(async (tag) => {
    await action('DeleteTag', { TagId: tag.TagId });
    state.reload();
  });
  const rows = state.data ? state.data.data.tag : [];
  return (
    <>
      <form class="inline" onSubmit={add.submit}>
        <Field id="tag-name" label={t('tags.name')}>
          <input id="tag-name" required value={values.name} onInput={(e) => setValues({ ...values, name: e.currentTarget.value })} />
        </Field>
        <Field id="tag-description" label={t('tags.description')}>
          <input
            id="tag-description"
            value={values.description}
            onInput={(e) => setValues({ ...values, description: e.currentTarget.value })}
          />
        </Field>
        <button type="submit" disabled={add.busy}>
          {t('tags.add')}
        </button>
      </form>
      <ErrorNote error={add.error || remove.error} />
      <Loading state={state}>
        <Table
          columns={[t('tags.name'), t('tags.description'), t('common.actions')]}
          rows={rows}
          row={(tag) => (
              <tr key={tag.TagId}>
                <td>{tag.TagName}</td>
                <td>{tag.TagDescription}</td>
                <td>
                  <button
                    type="button"
                    class="small danger"
                    onClick={() => confirm(t('common.confirm_delete', { name: tag.TagName })) && remove.submit(null, tag)}
                  >
                    {t('common.delete')}
                  </button>
                </td>
              </tr>
          )}
        />
      </Loading>
    </>
  );
}
