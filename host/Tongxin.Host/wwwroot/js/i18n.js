// The UI's own texts live in /i18n/<lang>.json; nothing user-visible is written in the markup or code.
const LANG_KEY = 'tongxin.lang';
export const LANGUAGES = ['zh-CN', 'en'];

let current = LANGUAGES.includes(localStorage.getItem(LANG_KEY)) ? localStorage.getItem(LANG_KEY) : 'zh-CN';
let dictionary = {};

export const lang = () => current;

export async function loadLanguage(next = current) {
  const response = await fetch(`/i18n/${next}.json`, { cache: 'no-cache' });
  dictionary = await response.json();
  current = next;
  localStorage.setItem(LANG_KEY, next);
  document.documentElement.lang = next;
}

/** The text for key, with {name} placeholders filled from params. A missing key shows the key itself. */
export function t(key, params = {}) {
  const text = dictionary[key];
  if (text === undefined) {
    console.warn(`i18n: missing "${key}" in ${current}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? `{${name}}`));
}

/** The text for key if the dictionary has it, else fallback (for enum values the host may add later). */
export function tOr(key, fallback) {
  return dictionary[key] ?? fallback;
}

/** Fills [data-i18n] (text) and [data-i18n-aria-label] / [data-i18n-placeholder] / [data-i18n-title] under root. */
export function translate(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  for (const attribute of ['aria-label', 'placeholder', 'title']) {
    root.querySelectorAll(`[data-i18n-${attribute}]`).forEach((el) => {
      el.setAttribute(attribute, t(el.getAttribute(`data-i18n-${attribute}`)));
    });
  }
}

const locale = () => (current === 'en' ? 'en-GB' : 'zh-CN');
const TIME_ZONE = 'Asia/Shanghai';

export function formatDate(value) {
  if (!value) return '—';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00+08:00`) : new Date(value);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', day: 'numeric', timeZone: TIME_ZONE }).format(date);
}

export function formatDateTime(value) {
  if (!value) return '—';
  return new Intl.DateTimeFormat(locale(), {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE,
  }).format(new Date(value));
}

export function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value ?? 0);
}

export function formatMoney(value) {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CNY', maximumFractionDigits: 2 }).format(value ?? 0);
}
