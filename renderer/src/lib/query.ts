/**
 * Data fetching goes through TanStack Query: each query is keyed by its channel and input, so the
 * same data is fetched once, cancelled when nobody waits for it any more, and refreshed after a
 * change by invalidating its channel.
 */
import {
  notifyManager,
  QueryClient,
  useMutation,
  useQuery,
  type QueryKey,
  type UseMutationOptions,
  type UseQueryOptions,
} from '@tanstack/react-query';
import type { ChannelName, InputOf, ResultOf } from '../../../shared/contract';
import type { DeskError } from '../../../shared/errors';
import { useCall } from './session';

// Answers reach React in a microtask instead of TanStack's default setTimeout(0): measured on the
// look-up (keystroke → rows painted), the timer added about 40 ms at the median on a busy machine.
notifyManager.setScheduler((cb) => queueMicrotask(cb));

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Errors are typed answers from the main process: asking again would get the same one.
        retry: false,
        refetchOnWindowFocus: false,
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });
}

/** The query key of a channel (and input): invalidating [channel] refreshes every input of it. */
export function channelKey<K extends ChannelName>(channel: K, input?: InputOf<K>): QueryKey {
  return input === undefined ? [channel] : [channel, input];
}

type QueryOpts<K extends ChannelName, T> = Omit<UseQueryOptions<ResultOf<K>, DeskError, T>, 'queryKey' | 'queryFn'>;

/** Read a channel: cached by channel and input, cancelled when no screen needs it any more. */
export function useChannel<K extends ChannelName, T = ResultOf<K>>(channel: K, input: InputOf<K>, options?: QueryOpts<K, T>) {
  const call = useCall();
  return useQuery<ResultOf<K>, DeskError, T>({
    queryKey: channelKey(channel, input),
    queryFn: ({ signal }) => call(channel, input, { signal }),
    ...options,
  });
}

type MutationOpts<K extends ChannelName, C> = Omit<UseMutationOptions<ResultOf<K>, DeskError, InputOf<K>, C>, 'mutationFn'>;

/** Change something through a channel. */
export function useChannelMutation<K extends ChannelName, C = unknown>(channel: K, options?: MutationOpts<K, C>) {
  const call = useCall();
  return useMutation<ResultOf<K>, DeskError, InputOf<K>, C>({
    mutationFn: (input) => call(channel, input),
    ...options,
  });
}
