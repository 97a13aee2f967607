// Completions, failures and connection changes spoken by screen readers through one aria-live region.
// Each message is a new node (additions are what live regions announce), and only the last few are kept.

const KEEP = 5;

export function createAnnouncer(region: HTMLElement): (message: string) => void {
  return (message) => {
    const line = document.createElement('p');
    line.textContent = message;
    region.append(line);
    while (region.childElementCount > KEEP) region.firstElementChild?.remove();
  };
}
