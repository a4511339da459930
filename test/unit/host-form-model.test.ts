/** The host form's rules: the inventory's checks inline, and an edit sent as only what changed. */
import { describe, expect, it } from 'vitest';
import type { Host } from '../../shared/hosts';
import { formFromHost, hostWarnings, toHostEdit, validateHost } from '../../renderer/pages/hosts/host-form-model';

const services: Host = { name: 'services', address: '10.0.0.5', port: 22, user: 'ubuntu', role: 'services', keyPath: '/k' };

describe('host form model', () => {
  it('refuses a second Services machine beside the Role field, but not the Services machine itself when edited', () => {
    const values = { ...formFromHost(services), name: 'services-2', address: '10.0.0.6' };
    expect(validateHost(values, [services]).role).toMatch(/services is already the Services machine/);
    expect(validateHost(formFromHost(services), [services], 'services')).toEqual({});
    expect(validateHost({ ...values, role: 'nomad' }, [services])).toEqual({});
  });

  it('warns about the same address:port under another name, not about the host itself', () => {
    expect(hostWarnings({ ...formFromHost(services), name: 'twin', role: 'spare' }, [services])).toEqual(['services already uses 10.0.0.5:22: both names reach the same sshd']);
    expect(hostWarnings({ ...formFromHost(services), name: 'twin', port: '2222' }, [services])).toEqual([]);
    expect(hostWarnings(formFromHost(services), [services], 'services')).toEqual([]);
  });

  it('sends only what changed, and a blank optional field clears it', () => {
    expect(toHostEdit(services, formFromHost(services))).toEqual({});
    expect(toHostEdit(services, { ...formFromHost(services), port: '2222', keyPath: '', jump: '' })).toEqual({ port: 2222, keyPath: null });
    expect(toHostEdit(services, { ...formFromHost(services), address: ' 10.0.0.9 ', user: 'admin' })).toEqual({ address: '10.0.0.9', user: 'admin' });
  });
});
