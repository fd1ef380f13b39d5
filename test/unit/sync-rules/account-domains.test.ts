/** SPEC §4.4: the account's own domains, from its portal domains and its users' connected calendars. */
import { accountDomains } from '../../../sync-rules';

describe('accountDomains', () => {
  it('counts portal domains and the mail domains of connected calendars, each once, lower-cased', () => {
    expect(accountDomains(['Portal.example'], ['ann@portal.example', 'Bob@Branch.Portal.example'])).toEqual(['portal.example', 'branch.portal.example']);
  });

  it('never makes a shared mail service internal: a gmail.com calendar leaves gmail.com contacts external', () => {
    expect(accountDomains(['portal.example'], ['founder@gmail.com', 'ops@outlook.com', 'me@proton.me'])).toEqual(['portal.example']);
  });
});
