import { describe, expect, it } from 'vitest';
import { BackupProfileSchema } from '../../shared/backup/profile';
import { EMPTY_PROFILE_FORM, profileErrorsFromDetails, toProfileRequest, validateProfile, type ProfileFormValues } from '../../renderer/wizards/backup/profile-form-model';

const libvirt = (over: Partial<ProfileFormValues> = {}): ProfileFormValues => ({
  ...EMPTY_PROFILE_FORM,
  provider: 'libvirt',
  name: 'lv',
  hypervisor: 'kvm1',
  domain: 'circleci-services',
  storeHost: 'store1',
  storeDir: '/srv/drydock-backups',
  ...over,
});

describe('backup profile form model', () => {
  it('a libvirt form becomes the request `backup profile set --provider libvirt` sends: blanks not sent, text trimmed', () => {
    expect(toProfileRequest(libvirt({ domain: ' circleci-services ', uri: '', spareDomain: 'spare-vm' }))).toEqual({
      name: 'lv',
      provider: 'libvirt',
      hypervisor: 'kvm1',
      domain: 'circleci-services',
      store: { host: 'store1', dir: '/srv/drydock-backups' },
      spareDomain: 'spare-vm',
    });
    expect(validateProfile(libvirt())).toEqual({});
    // What the engine stores for it: the schema's defaults (the URI) filled in.
    expect(BackupProfileSchema.parse({ ...toProfileRequest(libvirt({ uri: '' })), installationId: 'drydock-abc' })).toMatchObject({ uri: 'qemu:///system' });
  });

  it('an AWS form sends the spare instance only when given, and the region as typed', () => {
    const aws: ProfileFormValues = { ...EMPTY_PROFILE_FORM, instance: 'i-0123', spareInstance: 'spare' };
    expect(toProfileRequest(aws)).toEqual({ name: 'prod', provider: 'aws', instance: 'i-0123', region: 'us-east-1', imds: false, spareInstance: 'spare' });
    expect(toProfileRequest({ ...aws, spareInstance: ' ' })).not.toHaveProperty('spareInstance');
    expect(validateProfile({ ...aws, spareInstance: 'two words' }).spareInstance).toMatch(/without spaces or wildcards/);
  });

  it("each field gets its own message from the contract's schema", () => {
    const errors = validateProfile(libvirt({ domain: 'bad domain!', storeDir: 'relative/dir', spareDomain: 'x y', uri: 'not a uri', hypervisor: '' }));
    expect(errors).toEqual({
      hypervisor: 'Choose a host from the inventory',
      domain: 'Must be a libvirt domain name',
      storeDir: 'Must be an absolute directory path without spaces',
      spareDomain: 'Must be a libvirt domain name',
      uri: 'Must be a libvirt URI such as qemu:///system',
    });
  });

  it("the engine's answer lands on the fields: a host not in the inventory on each field naming it", () => {
    const v = libvirt({ spareHypervisor: 'kvm1' });
    expect(profileErrorsFromDetails({ fields: [{ path: ['host'], message: 'kvm1: not in the inventory' }] }, v)).toEqual({ hypervisor: 'kvm1: not in the inventory', spareHypervisor: 'kvm1: not in the inventory' });
    expect(profileErrorsFromDetails({ fields: [{ path: ['store', 'dir'], message: 'an absolute directory path without spaces' }] }, v)).toEqual({ storeDir: 'Must be an absolute directory path without spaces' });
  });
});
