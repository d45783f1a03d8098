// Copying must work in a plain browser tab and in the desktop webview, where the async Clipboard
// API can be missing or refused; the hidden-textarea fallback covers those cases.

export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard?.writeText && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or document not focused: fall through to the legacy path.
    }
  }
  return legacyCopy(text);
}

function legacyCopy(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    // execCommand is deprecated but remains the only synchronous copy path where the Clipboard API is unavailable.
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
