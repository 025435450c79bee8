// Small DOM helpers: elements, forms built from field descriptions, problem+json shown next to fields.
import { t, tOr, formatDate, formatDateTime } from './i18n.js';
import { ApiError } from './api.js';

/** h('div', { class: 'x', onclick: fn, 'aria-label': '…' }, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'style') el.style.cssText = value; // through the CSSOM: allowed under a CSP without 'unsafe-inline'
    else if (name === 'text') el.textContent = value;
    else if (name === 'html') throw new Error('no raw HTML');
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const clear = (el) => { el.replaceChildren(); return el; };

let idCounter = 0;
export const newId = (prefix = 'f') => `${prefix}-${++idCounter}`;

/** A page: heading, optional actions, then content. */
export function pageView(title, { actions = [], lead } = {}, ...content) {
  return h('section', { class: 'page' },
    h('header', { class: 'page-head' },
      h('h1', { id: 'page-title', tabindex: '-1' }, title),
      actions.length ? h('div', { class: 'page-actions' }, actions) : null),
    lead ? h('p', { class: 'lead' }, lead) : null,
    content);
}

export function card(title, ...content) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, content);
}

export function button(label, onclick, { kind = 'secondary', type = 'button', ...rest } = {}) {
  return h('button', { type, class: `btn btn-${kind}`, onclick, ...rest }, label);
}

export function link(label, href, { kind, ...rest } = {}) {
  return h('a', { href, class: kind ? `btn btn-${kind}` : null, ...rest }, label);
}

/** A badge for an enum value, its text from the dictionary (`<group>.<value>`). */
export function badge(group, value, extra = '') {
  return h('span', { class: `badge badge-${group}-${value} ${extra}`.trim(), 'data-value': value }, tOr(`${group}.${value}`, value));
}

export function empty(textKey) {
  return h('p', { class: 'empty' }, t(textKey));
}

export function definitionList(rows) {
  return h('dl', { class: 'facts' }, rows.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]));
}

/**
 * A table that turns into labelled cards on a phone. headers: [text]; rows: [{ attrs?, cells: [content] }].
 */
export function dataTable({ id, headers, rows }) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', id },
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((row) => h('tr', row.attrs || {}, row.cells.map((cell, i) => h('td', { 'data-label': headers[i] }, cell)))))));
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

/** The message of an error, never a stack trace: the problem's title and detail, or a plain sentence. */
export function problemView(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return h('div', { class: 'problem', role: 'alert' }, h('strong', {}, t('error.network')));
    const detail = error.detail && error.detail !== error.title ? error.detail : '';
    return h('div', { class: 'problem', role: 'alert' },
      h('strong', { class: 'problem-title' }, error.title || t('error.status', { status: error.status })),
      detail ? h('p', { class: 'problem-detail' }, detail) : null);
  }
  console.error(error);
  return h('div', { class: 'problem', role: 'alert' }, h('strong', { class: 'problem-title' }, t('error.unexpected')));
}

let toastTimer;
/** A short message in the live region at the top of the page. */
export function notify(text) {
  const toast = document.getElementById('toast');
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
}

export const fmt = { date: formatDate, dateTime: formatDateTime };

// ---------------------------------------------------------------- forms

const pad = (n) => String(n).padStart(2, '0');
/** now (or a Date) as the value of a datetime-local input, in the browser's time zone. */
export function localDateTimeValue(date = new Date()) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
export function localDateValue(date = new Date()) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function setPath(target, path, value) {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts.at(-1)] = value;
}

/**
 * A field. spec: { name (API path, e.g. details.supportKinds), label, kind: text|textarea|integer|number|date|datetime|
 * choice|radio|multi-choice|boolean|password|file, options: [[value, label]], required, min, max, maxLength, hint, value, autocomplete }.
 * Returns { name, el, read(), focus(), setError(messages) }.
 */
export function field(spec) {
  const id = newId(spec.name.replace(/[^a-zA-Z0-9]/g, '-'));
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const hint = spec.hint ? h('p', { class: 'field-hint', id: hintId }, spec.hint) : null;
  const describedBy = [hint ? hintId : null, errorId].filter(Boolean).join(' ');
  const requiredMark = spec.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null;
  let control;
  let read;
  let wrapper;
  const kind = spec.kind || 'text';

  if (kind === 'multi-choice' || kind === 'radio') {
    const type = kind === 'radio' ? 'radio' : 'checkbox';
    const values = new Set([].concat(spec.value ?? []));
    const boxes = spec.options.map(([value, label]) => {
      const boxId = newId(id);
      const input = h('input', { type, id: boxId, name: id, value, checked: values.has(value), 'aria-describedby': describedBy });
      return h('label', { class: 'choice', for: boxId }, input, h('span', {}, label));
    });
    control = h('div', { class: `choices choices-${type}` }, boxes);
    wrapper = h('fieldset', { class: 'field', 'data-field': spec.name },
      h('legend', {}, spec.label, requiredMark), hint, control, error);
    read = () => {
      const checked = [...control.querySelectorAll('input:checked')].map((input) => input.value);
      return type === 'radio' ? (checked[0] ?? null) : checked;
    };
  } else if (kind === 'boolean') {
    const input = h('input', { type: 'checkbox', id, name: spec.name, checked: !!spec.value, 'aria-describedby': describedBy });
    control = input;
    wrapper = h('div', { class: 'field field-boolean', 'data-field': spec.name },
      h('label', { class: 'choice', for: id }, input, h('span', {}, spec.label)), hint, error);
    read = () => input.checked;
  } else {
    if (kind === 'choice') {
      control = h('select', { id, name: spec.name, 'aria-describedby': describedBy },
        h('option', { value: '' }, t('form.choose')),
        spec.options.map(([value, label]) => h('option', { value, selected: spec.value === value }, label)));
    } else if (kind === 'textarea') {
      control = h('textarea', { id, name: spec.name, rows: spec.rows || 3, maxlength: spec.maxLength, 'aria-describedby': describedBy });
      control.value = spec.value ?? '';
    } else {
      const types = { integer: 'number', number: 'number', date: 'date', datetime: 'datetime-local', password: 'password', file: 'file', text: 'text' };
      control = h('input', {
        id, name: spec.name, type: types[kind] || 'text', min: spec.min, max: spec.max, maxlength: spec.maxLength,
        step: kind === 'integer' ? 1 : kind === 'number' ? 'any' : undefined, inputmode: kind === 'integer' ? 'numeric' : undefined,
        autocomplete: spec.autocomplete, accept: spec.accept, 'aria-describedby': describedBy,
      });
      if (spec.value !== undefined && spec.value !== null && kind !== 'file') control.value = spec.value;
    }
    wrapper = h('div', { class: `field field-${kind}`, 'data-field': spec.name },
      h('label', { for: id }, spec.label, requiredMark), hint, control, error);
    read = () => {
      const raw = control.value;
      if (kind === 'file') return control.files?.[0] ?? null;
      if (raw === '' || raw === undefined) return kind === 'text' || kind === 'textarea' || kind === 'password' ? '' : null;
      if (kind === 'integer') return Number.isInteger(Number(raw)) ? Number(raw) : raw;
      if (kind === 'number') return Number(raw);
      if (kind === 'datetime') return new Date(raw).toISOString();
      if (kind === 'text' || kind === 'textarea') return raw.trim();
      return raw;
    };
  }

  return {
    name: spec.name,
    el: wrapper,
    control,
    read,
    focus: () => (control.matches?.('input,select,textarea') ? control : control.querySelector('input'))?.focus(),
    setError(messages) {
      const has = messages && messages.length > 0;
      error.textContent = has ? messages.join(' ') : '';
      error.hidden = !has;
      wrapper.classList.toggle('invalid', has);
      const inputs = control.matches?.('input,select,textarea') ? [control] : [...control.querySelectorAll('input')];
      inputs.forEach((input) => (has ? input.setAttribute('aria-invalid', 'true') : input.removeAttribute('aria-invalid')));
    },
  };
}

/** Options [[value, label]] for an enum whose labels are in the dictionary as `<group>.<value>`. */
export const enumOptions = (group, values) => values.map((value) => [value, t(`${group}.${value}`)]);

/** A line's own field (from GET /api/modules) as a form field under pathPrefix (e.g. "details"). */
export function moduleField(spec, pathPrefix) {
  const kinds = { text: spec.maxLength > 120 ? 'textarea' : 'text', integer: 'integer', boolean: 'boolean', date: 'date', choice: 'choice', 'multi-choice': 'multi-choice' };
  const options = (spec.allowedValues || []).map((value) => [value, spec.valueLabels?.[value] ?? value]);
  const hint = spec.kind === 'integer' && spec.min != null && spec.max != null ? t('form.range', { min: spec.min, max: spec.max }) : undefined;
  return field({ name: `${pathPrefix}.${spec.name}`, label: spec.label, kind: kinds[spec.kind] || 'text', options, required: spec.required, min: spec.min, max: spec.max, maxLength: spec.maxLength, hint });
}

/** The value of a line's details, labelled for reading: [[label, text]]. */
export function describeDetails(specs, details) {
  if (!details || typeof details !== 'object') return [];
  const byName = Object.fromEntries((specs || []).map((spec) => [spec.name, spec]));
  return Object.entries(details).filter(([, value]) => value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)).map(([name, value]) => {
    const spec = byName[name];
    const label = spec?.label ?? name;
    const one = (v) => (typeof v === 'boolean' ? t(v ? 'common.yes' : 'common.no') : (spec?.valueLabels?.[v] ?? String(v)));
    return [label, Array.isArray(value) ? value.map(one).join('、') : one(value)];
  });
}

const normalise = (key) => key.replace(/\[\d+\]/g, '').toLowerCase();

/**
 * A form: fields, a submit button and a problem area. onSubmit(values) may throw ApiError: field errors
 * go next to their fields (in the host's language), the rest into the problem area at the top.
 */
export class Form {
  constructor({ submitLabel, onSubmit, className = '', extraButtons = [] }) {
    this.fields = [];
    this.problem = h('div', { class: 'form-problem', 'aria-live': 'assertive' });
    this.body = h('div', { class: 'form-body' });
    this.submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
    this.el = h('form', { class: `form ${className}`.trim(), novalidate: true },
      this.problem, this.body, h('div', { class: 'form-actions' }, this.submit, extraButtons));
    this.el.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (this.busy) return;
      this.clearErrors();
      this.busy = true;
      this.submit.disabled = true;
      this.el.setAttribute('aria-busy', 'true');
      try {
        await onSubmit(this.values(), this);
      } catch (error) {
        this.showError(error);
      } finally {
        this.busy = false;
        this.submit.disabled = false;
        this.el.removeAttribute('aria-busy');
      }
    });
  }

  add(...items) {
    for (const item of items.flat()) {
      if (!item) continue;
      if (item.read) { this.fields.push(item); this.body.append(item.el); } else this.body.append(item);
    }
    return this;
  }

  /** Fields side by side on a wide screen (stacked on a phone). */
  row(...fields) {
    this.body.append(h('div', { class: 'row-2' }, fields.map((f) => f.el)));
    this.fields.push(...fields);
    return this;
  }

  /** Replaces the fields whose names start with prefix (a line's own fields when the line changes). */
  replaceGroup(container, prefix, fields) {
    this.fields = this.fields.filter((f) => !f.name.startsWith(prefix));
    container.replaceChildren(...fields.map((f) => f.el));
    this.fields.push(...fields);
  }

  values() {
    const values = {};
    for (const f of this.fields) if (!f.name.startsWith('_')) setPath(values, f.name, f.read());
    return values;
  }

  clearErrors() {
    this.problem.replaceChildren();
    this.fields.forEach((f) => f.setError([]));
  }

  showError(error) {
    if (!(error instanceof ApiError) || !error.errors || Object.keys(error.errors).length === 0) {
      this.problem.replaceChildren(problemView(error));
      this.problem.scrollIntoView?.({ block: 'nearest' });
      return;
    }
    const unmatched = [];
    const messagesByField = new Map();
    for (const [key, messages] of Object.entries(error.errors)) {
      const k = normalise(key);
      const target = this.fields.find((f) => f.name.toLowerCase() === k)
        ?? this.fields.find((f) => f.name.toLowerCase().startsWith(`${k}.`))
        ?? this.fields.filter((f) => k.startsWith(`${f.name.toLowerCase()}.`)).sort((a, b) => b.name.length - a.name.length)[0];
      if (target) messagesByField.set(target, [...(messagesByField.get(target) || []), ...messages]);
      else unmatched.push(...messages.map((m) => (/^line \d+$/i.test(key) ? t('csv.line', { line: key.replace(/\D/g, ''), message: m }) : m)));
    }
    for (const [target, messages] of messagesByField) target.setError(messages);
    const summary = h('div', { class: 'problem', role: 'alert' },
      h('strong', { class: 'problem-title' }, error.title || t('error.status', { status: error.status })),
      h('p', { class: 'problem-detail' }, unmatched.length && messagesByField.size === 0 && error.detail ? error.detail : t('form.fixFields')),
      unmatched.length ? h('ul', { class: 'problem-list' }, unmatched.map((m) => h('li', {}, m))) : null);
    this.problem.replaceChildren(summary);
    const first = this.fields.find((f) => messagesByField.has(f));
    if (first) first.focus(); else this.problem.scrollIntoView?.({ block: 'nearest' });
  }
}
