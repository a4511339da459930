/** The traffic check's verdict over this computer's and the Nomad clients' answers. */
import { describe, expect, it } from 'vitest';
import { judgeAnswers } from '../../electron/engine/operations/restore/dns-answers';

const spare = ['10.0.2.20', '203.0.113.11'];

describe('judgeAnswers', () => {
  it('is ok when every place that resolves the name leads to the spare', () => {
    const v = judgeAnswers('ci.example', [{ from: 'this computer', addresses: ['203.0.113.11'] }, { from: 'nomad1', addresses: ['203.0.113.11'] }], spare);
    expect(v).toMatchObject({ ok: true, disagree: false });
    expect(v.said).toBe('ci.example from this computer: 203.0.113.11 (the spare); nomad1: 203.0.113.11 (the spare)');
  });

  it('shows a disagreement: this computer switched, a client still on the old record', () => {
    const v = judgeAnswers('ci.example', [{ from: 'this computer', addresses: ['203.0.113.11'] }, { from: 'nomad1', addresses: ['10.0.1.10'] }], spare);
    expect(v).toMatchObject({ ok: false, disagree: true });
    expect(v.said).toMatch(/nomad1: 10\.0\.1\.10 \(not the spare\) — the answers disagree/);
  });

  it('is not ok when nothing resolves, and says why for each', () => {
    const v = judgeAnswers('ci.example', [{ from: 'this computer', addresses: [], error: 'does not resolve' }, { from: 'nomad1', addresses: [], error: 'not asked: connection refused' }], spare);
    expect(v).toMatchObject({ ok: false, disagree: false });
    expect(v.said).toBe('ci.example from this computer: does not resolve; nomad1: not asked: connection refused');
  });
});
