import type { settingsChannels } from '../../../shared/channels/settings';
import type { DataKeyView } from '../../../shared/domain';
import { DeskError } from '../../../shared/errors';
import type { CoreDeps, HandlersOf } from '../handler';

/** `dataKey`: where the data key is kept (the key provider the core was opened with). */
export function settingsHandlers(deps: CoreDeps & { dataKey?: () => DataKeyView }): HandlersOf<typeof settingsChannels> {
  return {
    'settings.dataKey': () => {
      if (!deps.dataKey) throw new DeskError('UNAVAILABLE', 'Where the data key is kept is not known here.');
      return deps.dataKey();
    },
  };
}
