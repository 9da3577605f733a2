// @ts-check
/** @typedef {string | number | Node | null | undefined | false | ChildList} Child */
/** @typedef {Array<Child>} ChildList */

/**
 * An element with attributes, listeners (`onclick`) and children; text is always text, never markup,
 * so what customers and other channels wrote (summaries, steps tried) cannot inject anything.
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/** @param {Element} el @param {Child[]} children */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Replaces a region's content and keeps what the agent was doing there: typed values and the focus
 * (by element id), so a live update never takes a half-written summary or the keyboard's place away.
 * @param {HTMLElement} region
 * @param {...Child} children
 */
export function replace(region, ...children) {
  /** @type {Map<string, string | boolean>} */
  const values = new Map();
  for (const el of region.querySelectorAll('input, textarea, select')) {
    const field = /** @type {HTMLInputElement} */ (el);
    if (field.id) values.set(field.id, field.type === 'checkbox' ? field.checked : field.value);
  }
  const active = document.activeElement;
  const focused = active && region.contains(active) ? active.id : '';
  region.replaceChildren();
  append(region, children);
  for (const [id, value] of values) {
    const field = /** @type {HTMLInputElement | null} */ (region.querySelector(`#${CSS.escape(id)}`));
    if (!field) continue;
    if (typeof value === 'boolean') field.checked = value;
    else field.value = value;
  }
  if (focused) document.getElementById(focused)?.focus();
}

/** Reads a form's named fields. @param {HTMLFormElement} form @returns {Record<string, string>} */
export const fields = (form) => Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));
