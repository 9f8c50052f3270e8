// Who read a card: on a single Redis, a rendered page (rendered-pages.ts) registers its owner in a
// reader set per card it read, and a card write that changes the card's version deletes those
// owners' pages. Kept apart so that the card writes (cards.ts, feed-store.ts) and the pages share
// one definition of the keys and of the Lua that drops the readers.

/** A user's rendered page: <p>:pg:{<uid>}, in the slot of their list and exclusions (feed-store.ts). */
export const PAGE_SEGMENT = 'pg';
export const pageKeyPrefix = (prefix: string) => `${prefix}:${PAGE_SEGMENT}:{`;
export const pageKey = (prefix: string, uid: number) => `${pageKeyPrefix(prefix)}${uid}}`;

/** A card's reader set is its key plus this: an intset of the users whose page read the card. */
export const READERS_SUFFIX = ':r';

/**
 * Lua: `dropReaders(cardKey, pagePrefix)` deletes the rendered page of every reader of the card, then
 * the set. For a script that has just changed the card's version; `pagePrefix` is pageKeyPrefix's.
 */
export const DROP_READERS_LUA = `
local function dropReaders(card, pagePrefix)
  local r = card .. '${READERS_SUFFIX}'
  local readers = redis.call('SMEMBERS', r)
  if #readers == 0 then return end
  for j = 1, #readers do redis.call('DEL', pagePrefix .. readers[j] .. '}') end
  redis.call('DEL', r)
end`;
