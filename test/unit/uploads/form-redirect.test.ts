import { describe, expect, it } from 'vitest';
import { isNavigation } from '../../../server/uploads/form-answer.js';
import { FormRedirects } from '../../../server/uploads/form-redirect.js';

const context = {
  origin: 'https://shop.example',
  host: 'livedrop.example',
  corsOrigins: ['https://shop.example'],
};

const target = (value: string, options: Partial<typeof context> & { afterFile?: boolean } = {}) => {
  const redirects = new FormRedirects({ ...context, ...options });
  redirects.field('redirect', value, options.afterFile ?? false);
  return redirects.redirect?.href;
};

describe('form redirects', () => {
  it('follows an allowed origin, livedrop itself, or the sending site when it may post', () => {
    expect(target('https://shop.example/thanks?x=1')).toBe('https://shop.example/thanks?x=1');
    expect(target('https://livedrop.example/done')).toBe('https://livedrop.example/done');
    expect(
      target('https://any.example/back', { origin: 'https://any.example', corsOrigins: '*' as never }),
    ).toBe('https://any.example/back');
  });

  it.each([
    ['https://evil.example/', 'is not an allowed origin'],
    ['//evil.example/', 'absolute http(s) URL'],
    ['/thanks', 'absolute http(s) URL'],
    ['javascript:alert(1)', 'absolute http(s) URL'],
    ['https://user:pw@shop.example/', 'without credentials'],
    ['https://shop.example.evil.example/', 'is not an allowed origin'],
  ])('refuses %s', (value, why) => {
    expect(() => target(value)).toThrow(expect.objectContaining({ code: 'UPLOAD_REDIRECT_REFUSED' }));
    expect(() => target(value)).toThrow(why);
  });

  it('refuses a third site under CORS_ORIGINS=*, a redirect after a file, and a second redirect', () => {
    expect(() => target('https://third.example/', { corsOrigins: '*' as never })).toThrow(
      'not an allowed origin',
    );
    expect(() => target('https://shop.example/', { afterFile: true })).toThrow('before the first file');
    const redirects = new FormRedirects(context);
    redirects.field('redirect', 'https://shop.example/a', false);
    expect(() => redirects.field('redirect', 'https://shop.example/b', false)).toThrow('given twice');
  });

  it('sends errors to error_redirect, else to redirect; ignores other fields', () => {
    const redirects = new FormRedirects(context);
    redirects.field('subject', 'not a URL', false);
    redirects.field('redirect', 'https://shop.example/ok', false);
    expect(redirects.errorRedirect?.pathname).toBe('/ok');
    redirects.field('error_redirect', 'https://shop.example/failed', false);
    expect(redirects.errorRedirect?.pathname).toBe('/failed');
  });
});

describe('isNavigation', () => {
  it('is Sec-Fetch-Mode: navigate, or Accept: text/html without Fetch Metadata', () => {
    expect(isNavigation({ 'sec-fetch-mode': 'navigate' })).toBe(true);
    expect(isNavigation({ 'sec-fetch-mode': 'cors', accept: 'text/html' })).toBe(false);
    expect(isNavigation({ accept: 'text/html,application/xhtml+xml' })).toBe(true);
    expect(isNavigation({ accept: '*/*' })).toBe(false);
    expect(isNavigation({})).toBe(false);
  });
});
