import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseBytes, settings } from '../../server/config.js';
import { readDoc } from '../fixtures/docs.js';

describe('loadConfig', () => {
  it('has the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      uploadDir: './uploads',
      maxFileSize: 5 * 1024 ** 3,
      maxFiles: 20,
      allowedTypes: [],
      corsOrigins: [],
      authToken: null,
      checksum: 'sha256',
      progressIntervalMs: 100,
    });
  });

  it('reads sizes with binary units, lists and origins', () => {
    const config = loadConfig({
      MAX_FILE_SIZE: '10MiB',
      ALLOWED_TYPES: 'image/*, application/pdf',
      CORS_ORIGINS: 'https://a.example, http://localhost:5173',
    });
    expect(config.maxFileSize).toBe(10 * 1024 * 1024);
    expect(config.allowedTypes).toEqual(['image/*', 'application/pdf']);
    expect(config.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it.each([
    ['MAX_FILE_SIZE', 'lots'],
    ['MAX_FILE_SIZE', '5GB'],
    ['MAX_FILE_SIZE', '0'],
    ['PORT', '70000'],
    ['PORT', '80x'],
    ['MAX_FILES', '0'],
    ['CHECKSUM', 'md5'],
    ['CORS_ORIGINS', 'https://a.example/path'],
    ['ALLOWED_TYPES', 'images'],
    ['PROGRESS_INTERVAL_MS', '-1'],
    ['WEBHOOK_URLS', 'ftp://files.example/in'],
    ['WEBHOOK_URLS', 'https://ok.example, not a url'],
    ['WEBHOOK_EVENTS', 'upload.progress'],
    ['WEBHOOK_EVENTS', 'watchers'],
    ['WEBHOOK_RETRY_MIN_MS', '5'],
    ['HOOK_PRE_UPLOAD_URL', 'localhost:9000'],
    ['HOOK_PRE_UPLOAD_ON_ERROR', 'maybe'],
    ['HOOK_PRE_UPLOAD_FORWARD_HEADERS', 'x-user id'],
    ['HOOK_PRE_UPLOAD_FORWARD_TOKEN', 'yes'],
  ])('stops with a one-line message naming %s=%s', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`${name}=`);
    expect(message).toContain('expected');
    expect(message).not.toContain('\n');
  });

  it('parses byte sizes', () => {
    expect(parseBytes('1024')).toBe(1024);
    expect(parseBytes('1.5KiB')).toBe(1536);
    expect(parseBytes('2gib')).toBe(2 * 1024 ** 3);
    expect(parseBytes('-1')).toBeUndefined();
  });

  it('documents every setting in docs/', () => {
    const doc = readDoc('settings');
    for (const s of Object.values(settings)) expect(doc).toContain(`\`${s.env}\``);
  });
});
