// Sheets a county imports (its staff list, its roster of children): choose the file, check it first (nothing
// written), then import; each row's result and errors beside it, the template to download. The pages say what
// their rows hold; this file says how a sheet goes to the host.
import { t } from './i18n.js';
import { ApiError, api, download } from './api.js';
import { h, card, button, field, problemView } from './ui.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The sheet's type as the host reads it: .xlsx by its name, anything else as CSV (the host decodes UTF-8 or GB18030). */
const sheetType = (file) => (file.name.toLowerCase().endsWith('.xlsx') ? XLSX : 'text/csv');

/**
 * One import: `url` takes the sheet (`?dryRun=`), `template` is the template's route and file name without extension,
 * `table(answer)` shows the answer's rows, `writes(answer)` counts what the import would write (its button says it).
 */
export function importCard({ title, fileLabel, hint, url, template, table, writes, applyLabel }) {
  const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const fileField = field({ name: 'file', label: fileLabel, kind: 'file', accept: '.csv,.xlsx', hint });
  const send = async (dryRun) => {
    const file = fileField.read();
    fileField.setError(null);
    if (!file) { fileField.setError([t('import.chooseFile')]); return; }
    result.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('common.loading')));
    try {
      const answer = await api(`${url}?dryRun=${dryRun}`, { method: 'POST', body: file, contentType: sheetType(file) });
      const count = writes(answer);
      const apply = dryRun && answer.errors === 0 && count > 0
        ? button(applyLabel(count), () => send(false), { kind: 'primary', id: 'import-apply' })
        : null;
      result.replaceChildren(...[table(answer), apply].filter(Boolean));
    } catch (error) {
      if (error instanceof ApiError && error.errors?.file) fileField.setError(error.errors.file);
      const headers = error instanceof ApiError && error.errors?.headers
        ? h('ul', { class: 'problem-list', id: 'import-headers' }, error.errors.headers.map((m) => h('li', {}, m))) : null;
      result.replaceChildren(...[problemView(error), headers].filter(Boolean));
    }
  };
  return card(title,
    h('div', { class: 'form', id: 'import-form' }, fileField.el,
      h('div', { class: 'form-actions' },
        button(t('import.check'), () => send(true), { kind: 'secondary', id: 'import-check' }),
        button(t('import.template'), () => download(`${template.url}?format=xlsx`, `${template.name}.xlsx`), { id: 'import-template' }),
        button(t('import.templateCsv'), () => download(`${template.url}?format=csv`, `${template.name}.csv`), { id: 'import-template-csv' }))),
    result);
}

/** A row's errors, column by column, under its status. */
export function rowErrors(row) {
  return row.errors
    ? h('ul', { class: 'row-errors' }, Object.entries(row.errors).map(([column, messages]) => h('li', {}, `${column}：${messages.join(' ')}`)))
    : null;
}
