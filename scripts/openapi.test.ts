import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, openApiDocument } from './openapi.js';

describe('docs/openapi.json', () => {
  it('is the document the API serves (run `npm run docs:openapi` after changing a route)', async () => {
    const generated = await openApiDocument();
    expect(readFileSync(OPENAPI_FILE, 'utf8'), 'docs/openapi.json is out of date: run `npm run docs:openapi`').toBe(generated);
    const doc = JSON.parse(generated);
    expect(doc.paths['/token/refresh'].post.responses).toHaveProperty('200');
    expect(doc.paths['/users/{user_id}/sign_out_everywhere'].post.responses).toHaveProperty('204');
    expect(doc.paths['/admin/users/{user_id}/revoke_tokens'].post.security).toEqual([{ operator: [] }]);
    expect(doc.paths['/like/{user_id}/{liked_user_id}'].post.responses).toHaveProperty('429');
  });
});
