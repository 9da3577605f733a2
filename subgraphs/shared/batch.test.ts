import { groupCommit } from './batch';

describe('groupCommit', () => {
  it('sends what arrives during a write as the next write, and settles each caller with its own wave', async () => {
    const waves: number[][] = [];
    let release!: () => void;
    const write = groupCommit<number>(async (items) => {
      waves.push(items);
      if (waves.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = write([1]);
    const rest = [write([2]), write([3, 4])];
    release();
    await Promise.all([first, ...rest]);
    expect(waves).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects the callers of a failed wave only, and keeps writing afterwards', async () => {
    let fail = true;
    const write = groupCommit<string>(async () => {
      if (fail) throw new Error('database down');
    });
    await expect(write(['a'])).rejects.toThrow('database down');
    fail = false;
    await expect(write(['b'])).resolves.toBeUndefined();
  });
});
