/** A tiny element builder: the renderer has no framework, and needs none for one screen. */

type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) el.append(child);
  return el;
}

/** Writes only when different: most ticks change a few characters of a few rows. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function setAttr(el: Element, name: string, value: string | null): void {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Puts `items` in `parent` in this order, moving only what is out of place; removes the rest. */
export function reconcile(parent: Element, items: readonly Element[]): void {
  const keep = new Set(items);
  for (const child of [...parent.children]) if (!keep.has(child)) child.remove();
  items.forEach((item, i) => {
    if (parent.children[i] !== item) parent.insertBefore(item, parent.children[i] ?? null);
  });
}

/** Writes an inline style only when it differs (an equal write still records a mutation). */
export function setStyle(el: HTMLElement, prop: 'width' | 'transform', value: string): void {
  if (el.style[prop] !== value) el.style[prop] = value;
}

/** Shows or hides only on change: setting `hidden` to its current value still writes the attribute. */
export function setHidden(el: HTMLElement, hidden: boolean): void {
  if (el.hidden !== hidden) el.hidden = hidden;
}
