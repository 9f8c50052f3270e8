// Everything one rebuild partition needs, streamed out of Postgres with COPY in one snapshot.
import { type Pool, copyOutQuery, withTransaction } from '../shared/db.js';
import { decodeField, decodeSimpleArray, eachCopyRow } from '../shared/copy-text.js';
import type { Gender } from '../shared/genders.js';
import { CANDIDATE_COLUMNS as C, candidateOfFields } from '../shared/candidates.js';
import type { Candidate } from '../shared/matching/types.js';
import type { CardSource } from '../shared/cards.js';
import { rows } from '../shared/db.js';
import type { Partition } from '../shared/rebuild-plan.js';

export interface PartitionData {
  /** The snapshot's xmin: the lists' version (every transaction below it is reflected). */
  xmin: string;
  /** When the snapshot was taken (ms): the lists' generatedAt, for display. */
  readAt: number;
  members: Candidate[];
  /** Per member: users.version in the snapshot (the list's tie-break and the card's version). */
  versions: number[];
  profiles: CardSource[];
  candidates: Candidate[];
  /** Per member: ids to leave out (their swipes, who passed on them, blocks either way), and who liked them. */
  excluded: Map<number, number[]>;
  likedBy: Map<number, number[]>;
}

const push = (m: Map<number, number[]>, k: number, v: number) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

/** The parameters of sql/queries/partition_candidates.sql: the union of the members' ranges and wants. */
function candidateBounds(p: Partition, members: Candidate[]): number[] {
  let ageMin = 120, ageMax = 18, heightMin = 250, heightMax = 100, wants = 0, shortest = 250, tallest = 100;
  for (const m of members) {
    ageMin = Math.min(ageMin, m.ageMin);
    ageMax = Math.max(ageMax, m.ageMax);
    heightMin = Math.min(heightMin, m.heightMin);
    heightMax = Math.max(heightMax, m.heightMax);
    wants |= m.interestMask;
    shortest = Math.min(shortest, m.height);
    tallest = Math.max(tallest, m.height);
  }
  return [ageMin, ageMax, heightMin, heightMax, wants, p.genderBit, p.from[0], p.to[0], shortest, tallest];
}

export async function readPartition(db: Pool, p: Partition): Promise<PartitionData> {
  const bounds = [p.genderBit, p.from[0], p.from[1], p.to[0], p.to[1]];
  return withTransaction(
    db,
    async (client) => {
      const [{ xmin }] = await rows(client, 'snapshot_xmin');
      const readAt = Date.now();
      const members: Candidate[] = [];
      const versions: number[] = [];
      const profiles: CardSource[] = [];
      await eachCopyRow(copyOutQuery(client, 'partition_members', bounds), (f) => {
        const m = candidateOfFields(f);
        members.push(m);
        versions.push(+f[C + 4]!);
        profiles.push({
          version: +f[C + 4]!, shown: f[C + 5] === 't',
          id: m.id, age: m.age, height: m.height,
          preferred_age_min: m.ageMin, preferred_age_max: m.ageMax, preferred_height_min: m.heightMin, preferred_height_max: m.heightMax,
          name: decodeField(f[C]!)!, gender: decodeField(f[C + 1]!) as Gender | null,
          interested_in: decodeSimpleArray(decodeField(f[C + 2]!)) as Gender[] | null, bio: decodeField(f[C + 3]!),
          interests: m.interests ? [...m.interests] : [],
        });
      });
      const candidates: Candidate[] = [];
      const excluded = new Map<number, number[]>();
      const likedBy = new Map<number, number[]>();
      if (members.length) {
        await eachCopyRow(copyOutQuery(client, 'partition_candidates', candidateBounds(p, members)), (f) => candidates.push(candidateOfFields(f)));
        const isMember = new Set(members.map((m) => m.id));
        await eachCopyRow(copyOutQuery(client, 'partition_swipes', bounds), (f) => {
          const swiper = +f[0]!;
          const swipee = +f[1]!;
          if (isMember.has(swiper)) push(excluded, swiper, swipee);
          if (isMember.has(swipee)) push(f[2] === 'like' ? likedBy : excluded, swipee, swiper);
        });
      }
      return { xmin: xmin as string, readAt, members, versions, profiles, candidates, excluded, likedBy };
    },
    'snapshot', // one consistent view of members, candidates and swipes
  );
}
