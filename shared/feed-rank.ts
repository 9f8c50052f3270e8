// The score clients see. The engine orders by an internal score that includes whether a candidate
// liked the asker and how well each fits the other's ranges; showing it would tell the asker both.
// A page is always the top of the ranking (there is no offset), so its position is all a client
// needs: the first card scores 100, the next 99, and so on (limit <= 100 keeps it positive).
export const apiScore = (rank: number): number => 100 - rank;


/**
 * A page's response body, assembled from the cards' stored JSON (each an object; its closing brace
 * gives way to the score): no card is parsed or serialised again on the way out.
 */
export function pageBody(userId: number, page: { cards: readonly { json: string }[]; source: string; generatedAt: Date }): string {
  let items = '';
  for (let i = 0; i < page.cards.length; i++) {
    const json = page.cards[i]!.json;
    items += `${i ? ',' : ''}${json.slice(0, -1)},"score":${apiScore(i)}}`;
  }
  return `{"user_id":${userId},"potential_matches":[${items}],"source":${JSON.stringify(page.source)},"generated_at":"${page.generatedAt.toISOString()}"}`;
}
