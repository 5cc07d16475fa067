import { CairnError } from '../errors/cairn-error';
import { ConcurrencyGate } from './concurrency-gate';

describe('ConcurrencyGate', () => {
  it('runs up to its limit at once, refuses one more with dependency_unavailable, then admits again', async () => {
    const gate = new ConcurrencyGate(2, 'busy');
    const releases: (() => void)[] = [];
    const held = () => new Promise<void>((resolve) => releases.push(resolve));
    const first = gate.run(held);
    const second = gate.run(held);
    await expect(gate.run(async () => 'third')).rejects.toEqual(
      new CairnError('dependency_unavailable', 'busy'),
    );
    releases.forEach((release) => release());
    await Promise.all([first, second]);
    await expect(gate.run(async () => 'again')).resolves.toBe('again');
  });

  it('frees its place when the work fails', async () => {
    const gate = new ConcurrencyGate(1, 'busy');
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 1)).resolves.toBe(1);
  });

  it('gives a place back once however often its leave is called', () => {
    const gate = new ConcurrencyGate(2, 'busy');
    const leave = gate.enter();
    gate.enter();
    expect(() => gate.enter()).toThrow('busy');
    leave();
    leave();
    expect(gate.inUse).toBe(1);
    gate.enter();
    expect(() => gate.enter()).toThrow('busy');
  });
});
