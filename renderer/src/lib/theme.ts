/**
 * The colour theme: follow the OS (the default), or always light, or always dark. The choice is kept in the
 * page's local storage and applied as `data-theme` on <html>, which app.css reads; charts listen for
 * THEME_CHANGED because a canvas does not restyle itself when CSS variables change.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const KEY = 'layerbench.theme.v1';
export const THEME_CHANGED = 'layerbench:theme-changed';

export function loadTheme(): Theme {
  try {
    const saved = localStorage.getItem(KEY);
    return (THEMES as readonly string[]).includes(saved ?? '') ? (saved as Theme) : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  window.dispatchEvent(new Event(THEME_CHANGED));
}

export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Storage disabled: the choice lasts for this session only.
  }
  applyTheme(theme);
}
