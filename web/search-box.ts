// The library's search field and type chips. Typing is debounced (one listing request per pause, not
// per key); the filters go into the page's URL with history.replaceState, so a search can be shared
// and survives a reload. Chips are toggle buttons (aria-pressed), one pressed at a time.
import { el, setAttributes } from './element.js';
import { locale } from './locale.js';
import { filtersFromUrl, type LibraryFilters, TYPE_CHIPS, urlWithFilters } from './search-match.js';

export const SEARCH_DEBOUNCE_MS = 250;

export interface SearchBoxElements {
  input: HTMLInputElement;
  chips: HTMLElement;
}

export class SearchBox {
  readonly #changed: (filters: LibraryFilters) => void;
  readonly #chips = new Map<string, HTMLButtonElement>();
  #filters: LibraryFilters;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(elements: SearchBoxElements, changed: (filters: LibraryFilters) => void) {
    this.#changed = changed;
    this.#filters = filtersFromUrl(window.location.href);
    const { input, chips } = elements;
    setAttributes(input, { 'aria-label': locale.searchLabel, placeholder: locale.searchPlaceholder });
    input.value = this.#filters.q;
    input.addEventListener('input', () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(
        () => this.#set({ ...this.#filters, q: input.value.trim() }),
        SEARCH_DEBOUNCE_MS,
      );
    });
    // Enter searches at once; Escape clears the field.
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        clearTimeout(this.#timer);
        this.#set({ ...this.#filters, q: input.value.trim() });
      } else if (event.key === 'Escape' && input.value) {
        input.value = '';
        clearTimeout(this.#timer);
        this.#set({ ...this.#filters, q: '' });
      }
    });
    setAttributes(chips, { role: 'group', 'aria-label': locale.typeFilterLabel });
    for (const chip of TYPE_CHIPS) {
      const button = el(
        'button',
        'chip',
        { type: 'button', 'data-type': chip.type },
        locale.chips[chip.label],
      );
      button.onclick = () => this.#set({ ...this.#filters, type: chip.type });
      this.#chips.set(chip.type, button);
      chips.append(button);
    }
    this.#showChips();
  }

  get filters(): LibraryFilters {
    return this.#filters;
  }

  #set(filters: LibraryFilters): void {
    if (filters.q === this.#filters.q && filters.type === this.#filters.type) return;
    this.#filters = filters;
    this.#showChips();
    window.history.replaceState(window.history.state, '', urlWithFilters(window.location.href, filters));
    this.#changed(filters);
  }

  #showChips(): void {
    for (const [type, button] of this.#chips) {
      setAttributes(button, { 'aria-pressed': String(type === this.#filters.type) });
    }
  }
}
