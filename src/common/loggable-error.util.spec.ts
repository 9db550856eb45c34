import { QueryFailedError } from 'typeorm';
import { loggableError } from 'src/common/loggable-error.util';

describe('loggableError', () => {
  it('drops the parameters and detail of a failed query but keeps its SQL and code', () => {
    const driver = Object.assign(new Error('duplicate key value'), {
      code: '23505',
      detail: 'Key (email)=(a@b.c) already exists.',
    });
    const err = new QueryFailedError(
      'INSERT INTO users (password_hash) VALUES ($1)',
      ['$argon2id$v=19$secret'],
      driver,
    );
    const text = JSON.stringify(loggableError(err));
    expect(text).not.toContain('argon2id');
    expect(text).not.toContain('a@b.c');
    expect(loggableError(err)).toMatchObject({
      code: '23505',
      query: 'INSERT INTO users (password_hash) VALUES ($1)',
    });
  });

  it('leaves ordinary errors as they are', () => {
    const err = new Error('plain');
    expect(loggableError(err)).toBe(err);
  });
});
