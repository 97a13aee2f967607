// The element's shadow styles. Theming goes through CSS custom properties (inherited into the shadow
// tree) and ::part() names, so a host page never needs to reach inside:
//   livedrop-upload { --livedrop-accent: #0a7; }   livedrop-upload::part(item) { border-radius: 0 }
export const STYLES = `
:host {
  display: block;
  font: var(--livedrop-font, inherit);
  color: var(--livedrop-text, inherit);
  --_accent: var(--livedrop-accent, #3b4bd8);
  --_border: var(--livedrop-border, #b7bccb);
  --_radius: var(--livedrop-radius, 8px);
  --_muted: var(--livedrop-muted, #5b6170);
  --_error: var(--livedrop-error, #b3261e);
  --_background: var(--livedrop-background, transparent);
}
:host([hidden]) { display: none; }
[part~="dropzone"] {
  border: 2px dashed var(--_border);
  border-radius: var(--_radius);
  background: var(--_background);
  padding: 1rem;
  text-align: center;
}
[part~="dropzone"][data-dragging] { border-color: var(--_accent); outline: 2px solid var(--_accent); }
[part~="button"], [part~="remove"] {
  font: inherit;
  cursor: pointer;
  border-radius: calc(var(--_radius) / 2);
}
[part~="button"] {
  background: var(--_accent);
  color: var(--livedrop-accent-text, #fff);
  border: 0;
  padding: .5rem 1rem;
}
[part~="button"]:disabled { opacity: .5; cursor: not-allowed; }
:is(button, [tabindex]):focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
[part~="hint"] { color: var(--_muted); margin: .5rem 0 0; }
[part~="list"] { list-style: none; margin: .5rem 0 0; padding: 0; }
[part~="item"] {
  display: grid;
  grid-template-columns: 3rem 1fr auto;
  gap: .25rem .75rem;
  align-items: center;
  padding: .5rem;
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  margin-top: .5rem;
}
[part~="preview"] {
  grid-row: span 2;
  width: 3rem;
  height: 3rem;
  object-fit: cover;
  border-radius: calc(var(--_radius) / 2);
  background: #e8eaf0;
  display: grid;
  place-items: center;
  font-size: .7rem;
  overflow: hidden;
}
[part~="name"] { overflow-wrap: anywhere; }
[part~="progress"] { width: 100%; accent-color: var(--_accent); }
[part~="status"] { color: var(--_muted); font-size: .875em; grid-column: 2 / 4; }
[data-status="failed"] [part~="status"], [part~="message"] { color: var(--_error); }
[part~="remove"] { background: none; border: 1px solid var(--_border); padding: .25rem .5rem; }
[part~="message"]:empty { display: none; }
[part~="message"] { margin: .5rem 0 0; }
[part~="message"][data-kind="waiting"] { color: var(--_muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;
