import type { mailChannels } from '../../../shared/channels/mail';
import { DeskError } from '../../../shared/errors';
import { actorOf, type CoreDeps, type HandlersOf } from '../handler';
import { getSmtpView, sendTestMail, updateSmtpSettings } from './smtp-settings';

export function mailHandlers(deps: CoreDeps): HandlersOf<typeof mailChannels> {
  const { db, clock, vault } = deps;
  return {
    'smtp.get': async () => getSmtpView(db),
    'smtp.update': async (input, ctx) => {
      const view = await updateSmtpSettings({ db, clock, vault }, actorOf(ctx.session), input);
      // Mail that is due goes out through the new settings now.
      deps.onMailQueued?.();
      return view;
    },
    'smtp.testMail': async (input) => {
      if (!deps.dataDir) throw new DeskError('UNAVAILABLE', 'Test mail is not available here.');
      return sendTestMail({ ...deps, dataDir: deps.dataDir }, input);
    },
  };
}
