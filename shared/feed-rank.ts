// The score clients see. The engine orders by an internal score that includes whether a candidate
// liked the asker and how well each fits the other's ranges; showing it would tell the asker both.
// A page is always the top of the ranking (there is no offset), so its position is all a client
// needs: the first card scores 100, the next 99, and so on (limit <= 100 keeps it positive).
export const apiScore = (rank: number): number => 100 - rank;

export const withApiScores = <T extends { score: number }>(cards: readonly T[]): T[] => cards.map((c, i) => ({ ...c, score: apiScore(i) }));
