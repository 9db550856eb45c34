import { isConnectionLoss } from 'src/database/connection-loss.util';

describe('isConnectionLoss', () => {
  it('knows a terminated backend, a restarting server and a dropped socket, through causes', () => {
    const terminated = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(isConnectionLoss(terminated)).toBe(true);
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('x'), { code: '57P03' }))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionLoss(new Error('writing the snapshot failed', { cause: terminated }))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('query failed'), { driverError: terminated }))).toBe(
      true,
    );
  });

  it('leaves every other failure to be a failure', () => {
    expect(isConnectionLoss(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isConnectionLoss(new Error('column s.sx does not exist'))).toBe(false);
    expect(isConnectionLoss('a string')).toBe(false);
    expect(isConnectionLoss(null)).toBe(false);
  });
});
